//! `trialstat check CLAIMS.toml`: is each cited figure reproduced?
//!
//! A claims file names data files and analyses exactly as a study spec does ([`crate::report::spec`]),
//! and lists claims. Each claim states the cited figure, its source, a tolerance and how to
//! compute it: from an analysis of a data file (`analysis = "NAME"`, then `measure`, and `group`,
//! `visit`, `term`, ... to pick the result), or from counts alone (`counts`, `rates` or
//! `count`, as the one-liners read them), with the assumptions that makes explicit.
//!
//! ```toml
//! [[claim]]
//! id = "gi-ae-ratio"
//! source = "seed article: GI adverse events 0.7% vs 12.4%"
//! counts = { treated = "0.7%/1000", control = "12.4%/1000" }
//! assumptions = "1000 patients per group (the article gives no denominators)"
//! measure = "risk-ratio"
//! cited = "0.056"            # text: the tolerance defaults to half a unit of its last digit
//! ```
//!
//! * `cited` is a number, or text: `"4.6"`, `"54%"`, `"87/161"`, `"3x"`. `cited_ci = [lo, hi]`
//!   adds the CI bounds to check. `tolerance` is absolute (`0.05`) or relative (`"10%"`); for a
//!   cited text it defaults to half a unit in its last digit (the rounding of a printed figure);
//!   a cited number needs one.
//! * Verdicts: **reproduced** (estimate, and CI bounds if cited, within tolerance), **not
//!   reproduced** (with the difference), **not checkable** (`checkable = false` with `why`, or a
//!   result that is undefined for these data).

use crate::analysis::counts::{compare, compare_rates, single_proportion, CountOptions};
use crate::analysis::Report;
use crate::error::{Error, Result};
use crate::report::spec::{self, AnalysisSpec, DataSpec};
use crate::stats::{Estimate, Measure, Method};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// A claims file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsFile {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub data: BTreeMap<String, DataSpec>,
    #[serde(default, rename = "analysis")]
    pub analyses: Vec<AnalysisSpec>,
    #[serde(rename = "claim")]
    pub claims: Vec<ClaimSpec>,
}

/// A number or its printed text.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Figure {
    Number(f64),
    Text(String),
}

/// Counts as a paper prints them, for claims checkable without data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsSpec {
    pub treated: String,
    pub control: String,
    #[serde(default, deserialize_with = "crate::report::spec::two_labels")]
    pub labels: Option<[String; 2]>,
    /// `harmful` (default) or `beneficial`: decides NNTB vs NNTH.
    #[serde(default)]
    pub events: Option<crate::stats::two_by_two::EventKind>,
}

/// One claim.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSpec {
    pub id: Spanned<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub statement: Option<String>,
    #[serde(default)]
    pub cited: Option<Figure>,
    #[serde(default)]
    pub cited_ci: Option<[Figure; 2]>,
    #[serde(default)]
    pub tolerance: Option<Figure>,
    /// Compute from an analysis of the file.
    #[serde(default)]
    pub analysis: Option<String>,
    /// Or from counts: two groups (`compare`), two rates (`rates`), or one proportion.
    #[serde(default)]
    pub counts: Option<CountsSpec>,
    #[serde(default)]
    pub rates: Option<CountsSpec>,
    /// Or from two groups' summaries as papers print them, MEAN,SD,N (`smd`).
    #[serde(default)]
    pub summaries: Option<CountsSpec>,
    #[serde(default)]
    pub count: Option<String>,
    #[serde(default)]
    pub assumptions: Option<String>,
    /// Which result: its measure (`risk-ratio`, `proportion`, `ancova-difference`, ...).
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub visit: Option<String>,
    /// The variable of the estimate when an analysis has more than one (`percent-change` for
    /// Hedges' g of the percent change); absent = the analysis's main one.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub soc: Option<String>,
    #[serde(default)]
    pub term: Option<String>,
    /// Time-to-event results: the time (`survival-at`, `rmst`, in the analysis's time unit) or
    /// probability (`survival-quantile`; absent = 0.5, the median) of the result.
    #[serde(default)]
    pub at: Option<f64>,
    /// A result within a subgroup (`SEX = F`), or the variable of an interaction test; absent
    /// = the result of all subjects.
    #[serde(default)]
    pub subgroup: Option<String>,
    /// A meta-analysis's sensitivity analysis (`leave-one-out`, `cumulative`, `trim-and-fill`;
    /// `group` then names the study); absent = the main analysis.
    #[serde(default)]
    pub sensitivity: Option<String>,
    /// Or a descriptive summary of the analysis (`change`): the variable (`baseline`,
    /// `follow-up`, `change`, `percent-change`) and the statistic (`mean`, `sd`, `median`, `q1`,
    /// `q3`, `n`); `group` names the arm. `summary = "reduction-of-means"` is
    /// 1 − follow-up mean / baseline mean (a paper's "34% reduction from baseline").
    ///
    /// Without `summary`, `statistic` picks the number of the result compared with the cited
    /// figure: `estimate` (default), `p-value`, `ci-lower`, `ci-upper`, `statistic`, `n`, `count`.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub level: Option<f64>,
    /// `false` for a figure that cannot be checked from what is available.
    #[serde(default)]
    pub checkable: Option<bool>,
    #[serde(default)]
    pub why: Option<String>,
}

/// The verdict on a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Reproduced,
    NotReproduced,
    NotCheckable,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::NotReproduced => "not reproduced",
            Verdict::NotCheckable => "not checkable",
        }
    }
}

/// The result of checking one claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimResult {
    pub id: String,
    pub source: Option<String>,
    pub statement: Option<String>,
    /// The cited figure as written.
    pub cited: Option<String>,
    pub cited_value: Option<f64>,
    pub tolerance: Option<f64>,
    /// The value compared with the cited figure.
    pub computed_value: Option<f64>,
    /// The computed value as the cited figure is written: `54.04%` for a cited `54%`,
    /// `87/161` for a cited count.
    pub computed_text: String,
    /// What was computed, e.g. `risk-ratio (koopman)` or `follow-up mean, 1`.
    pub computed_what: String,
    /// The result compared (measure, method, estimate, CI, p, ...), when it is an estimate.
    pub computed: Option<Estimate>,
    pub verdict: Verdict,
    pub why: String,
    pub assumptions: Option<String>,
}

/// Every claim of a file, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub trialstat_version: &'static str,
    pub command: &'static str,
    pub file: String,
    pub title: Option<String>,
    pub claims: Vec<ClaimResult>,
}

impl CheckReport {
    /// Did every checkable claim reproduce?
    pub fn all_reproduced(&self) -> bool {
        self.claims.iter().all(|c| c.verdict != Verdict::NotReproduced)
    }
}

/// A cited text's value and the default tolerance (half a unit in its last digit).
///
/// Accepts `4.6`, `-4.6`, `54%`, `87/161`, `3x` (or `3×`, `3-fold`), with an optional hedge in
/// front (`nearly`, `almost`, `about`, `approximately`, `around`, `~`, `≈`) that does not change
/// the value: a hedged figure needs an explicit `tolerance` if half a unit is too strict.
pub fn parse_figure(text: &str) -> Option<(f64, f64)> {
    let mut t = text.trim();
    for hedge in ["nearly", "almost", "about", "approximately", "around", "~", "≈"] {
        if let Some(rest) = t.strip_prefix(hedge) {
            t = rest.trim_start();
            break;
        }
    }
    if let Some((a, b)) = t.split_once('/') {
        let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        if b == 0.0 || !a.is_finite() || !b.is_finite() {
            return None;
        }
        // An exact count: tolerance half an event over the denominator.
        return Some((a / b, 0.5 / b));
    }
    let (body, scale) = if let Some(p) = t.strip_suffix('%') {
        (p.trim(), 0.01)
    } else if let Some(x) = t.strip_suffix('x').or_else(|| t.strip_suffix('×')).or_else(|| t.strip_suffix('X')).or_else(|| t.strip_suffix("-fold")) {
        (x.trim(), 1.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = body.parse().ok()?;
    if !v.is_finite() {
        return None; // NaN, inf: nothing a paper cites
    }
    // Half a unit in the last digit written: 3e-2 → 0.005, 4.60 → 0.005, 1.5E3 → 50.
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len() as i32);
    let half = 0.5 * 10f64.powi(exponent - decimals) * scale;
    Some((v * scale, half))
}

/// A cited direction: `">1"` (the ratio is above 1), `"<0"`, `"<0.05"` (for a p-value).
/// Returns (true for "greater than", the bound).
pub fn parse_bound(text: &str) -> Option<(bool, f64)> {
    let t = text.trim();
    let (greater, rest) = if let Some(r) = t.strip_prefix('>') {
        (true, r)
    } else if let Some(r) = t.strip_prefix('<') {
        (false, r)
    } else {
        return None;
    };
    let (v, _) = parse_figure(rest.trim_start_matches('=').trim())?;
    Some((greater, v))
}

fn figure_bound(f: &Figure) -> Option<(bool, f64)> {
    match f {
        Figure::Text(t) => parse_bound(t),
        Figure::Number(_) => None,
    }
}

/// The verdict on a cited direction: for an estimate with a CI, the whole CI must lie beyond
/// the bound (the data distinguish the claim from its bound); otherwise the value itself.
fn bound_verdict(greater: bool, bound: f64, value: f64, ci: Option<crate::stats::Ci>) -> (Verdict, String) {
    let side = if greater { "above" } else { "below" };
    let b = crate::fmt::sig(bound, 4);
    match ci {
        Some(ci) => {
            let (lo, hi) = (crate::fmt::sig(ci.lower, 4), crate::fmt::sig(ci.upper, 4));
            let level = crate::fmt::sig(100.0 * ci.level, 3);
            if (greater && ci.lower > bound) || (!greater && ci.upper < bound) {
                (Verdict::Reproduced, format!("the {level}% CI {lo} to {hi} lies {side} {b}"))
            } else if (greater && ci.upper < bound) || (!greater && ci.lower > bound) {
                (Verdict::NotReproduced, format!("the {level}% CI {lo} to {hi} lies on the other side of {b}"))
            } else {
                (Verdict::NotReproduced, format!("the {level}% CI {lo} to {hi} includes {b}: the data do not distinguish the estimate {} from {b}", crate::fmt::sig(value, 4)))
            }
        }
        None if (greater && value > bound) || (!greater && value < bound) => (Verdict::Reproduced, format!("{} is {side} {b}", crate::fmt::sig(value, 4))),
        None => (Verdict::NotReproduced, format!("{} is not {side} {b}", crate::fmt::sig(value, 4))),
    }
}

fn figure_value(f: &Figure) -> Option<(f64, Option<f64>)> {
    match f {
        Figure::Number(x) if !x.is_finite() => None,
        Figure::Number(x) => Some((*x, None)),
        Figure::Text(t) => parse_figure(t).map(|(v, h)| (v, Some(h))),
    }
}

fn figure_text(f: &Figure) -> String {
    match f {
        Figure::Number(x) => format!("{x}"),
        Figure::Text(t) => t.clone(),
    }
}

/// Parse a claims file.
pub fn parse(file: &str, text: &str) -> Result<ClaimsFile> {
    let c: ClaimsFile = toml::from_str(text).map_err(|e| spec::toml_error(file, text, &e))?;
    spec::check_kind_keys(file, text, &c.analyses)?;
    let names: Vec<&str> = c.analyses.iter().map(|a| a.name.get_ref().as_str()).collect();
    for a in &c.analyses {
        if !c.data.contains_key(a.data.get_ref()) {
            return Err(spec::spec_error(file, text, Some(a.data.span().start), format!("data = '{}': no [data.{}] table", a.data.get_ref(), a.data.get_ref())));
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    for cl in &c.claims {
        let (id, at) = (cl.id.get_ref(), Some(cl.id.span().start));
        if ids.contains(&id.as_str()) {
            return Err(spec::spec_error(file, text, at, format!("claim id '{id}' is used twice")));
        }
        if let Some(p) = claim_problem(cl, &names) {
            return Err(spec::spec_error(file, text, at, format!("claim '{id}': {p}")));
        }
        ids.push(id);
    }
    Ok(c)
}

/// What is wrong with a claim, if anything: a missing source or cited figure, not exactly one
/// source, an unknown analysis, an unreadable tolerance, cited figure or CI bound, a statistic,
/// method or measure that does not exist.
fn claim_problem(cl: &ClaimSpec, analyses: &[&str]) -> Option<String> {
    if cl.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Some("missing key `source` (where the figure is cited: paper, table, page)".into());
    }
    if cl.checkable == Some(false) {
        return cl.why.as_deref().is_none_or(|s| s.trim().is_empty()).then(|| "checkable = false needs `why`".into());
    }
    let sources = [cl.analysis.is_some(), cl.counts.is_some(), cl.rates.is_some(), cl.summaries.is_some(), cl.count.is_some()].iter().filter(|x| **x).count();
    if sources != 1 {
        return Some("give exactly one of analysis, counts, rates, summaries, count (or checkable = false with why)".into());
    }
    if let Some(a) = cl.analysis.as_ref().filter(|a| !analyses.contains(&a.as_str())) {
        return Some(format!("analysis = '{a}': no analysis of that name; defined: {}", analyses.join(", ")));
    }
    if let Some(t) = cl.tolerance.as_ref().filter(|t| parse_tolerance(t).is_none()) {
        return Some(format!("tolerance = '{}': a finite number ≥ 0, absolute (0.05) or relative to the cited value (\"10%\")", figure_text(t)));
    }
    if let Some(f) = cl.cited_ci.iter().flatten().find(|f| figure_value(f).is_none()) {
        return Some(format!("cited_ci bound '{}': a finite number, or text such as 1.2 or 54%", figure_text(f)));
    }
    let Some(f) = &cl.cited else {
        return Some("missing key `cited`".into());
    };
    if figure_bound(f).is_some() {
        if cl.cited_ci.is_some() {
            return Some(format!("cited = '{}' is a direction; it takes no cited_ci", figure_text(f)));
        }
    } else if let Some((_, default_tol)) = figure_value(f) {
        if default_tol.is_none() && cl.tolerance.is_none() {
            return Some("a cited number needs a tolerance (or write it as text, e.g. cited = \"4.6\", for the rounding tolerance)".into());
        }
    } else {
        return Some(format!("cited = '{}': a number, or text such as 4.6, 54%, 87/161, 3x, nearly 3x, or a direction >1, <0", figure_text(f)));
    }
    if let Some(st) = &cl.statistic {
        let allowed: &[&str] = if cl.summary.is_some() { &["mean", "sd", "median", "q1", "q3", "n"] } else { &["estimate", "p-value", "ci-lower", "ci-upper", "statistic", "n", "count"] };
        if !allowed.contains(&st.as_str()) {
            return Some(format!("statistic = '{st}': one of {}", allowed.join(", ")));
        }
    }
    if let Some(m) = cl.method.as_ref().filter(|m| Method::from_name(m).is_none()) {
        return Some(format!("method = '{m}': not a method; one of {}", Method::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")));
    }
    if let Some(m) = cl.measure.as_ref().filter(|m| !Measure::ALL.iter().any(|x| x.name() == m.as_str())) {
        return Some(format!("measure = '{m}': not a measure; one of {}", Measure::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")));
    }
    None
}

fn pick<'a>(report: &'a Report, c: &ClaimSpec) -> Option<&'a Estimate> {
    let measure = c.measure.as_deref().unwrap_or("risk-ratio");
    let matches = |e: &&Estimate| {
        e.measure.name() == measure
            && c.method.as_deref().is_none_or(|m| e.method.name() == m)
            && c.group.as_deref().is_none_or(|g| e.group.as_deref() == Some(g))
            && c.outcome == e.subset.outcome
            && c.param.as_deref().is_none_or(|g| e.subset.param.as_deref() == Some(g))
            && c.visit.as_deref().is_none_or(|g| e.subset.visit.as_deref() == Some(g))
            && c.soc.as_deref().is_none_or(|g| e.subset.soc.as_deref() == Some(g))
            && c.term.as_deref().is_none_or(|g| e.subset.term.as_deref() == Some(g))
            && c.subgroup == e.subset.subgroup
            && c.sensitivity == e.subset.sensitivity
            && at_matches(c.at, e)
    };
    // A claim without a group prefers a result without one (a meta-analysis's pooled estimate
    // rather than its first study's).
    report.results.iter().filter(matches).find(|e| c.group.is_some() || e.group.is_none()).or_else(|| report.results.iter().find(matches))
}

/// A claim's `at` against a result's: equal (to 1e-9 relative); a claim without `at` picks the
/// median of a survival-quantile and never another result that has an `at` (a landmark or τ
/// must be named).
fn at_matches(claim: Option<f64>, e: &Estimate) -> bool {
    match (claim, e.at) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (Some(_), None) => false,
        (None, Some(b)) => e.measure == Measure::SurvivalQuantile && b == 0.5,
        (None, None) => true,
    }
}

/// A tolerance as written: absolute (`0.05`, `"0.05"`) or relative to the cited value
/// (`"10%"`, as a fraction); `None` unless a finite number ≥ 0.
fn parse_tolerance(f: &Figure) -> Option<(f64, bool)> {
    let (x, relative) = match f {
        Figure::Number(x) => (*x, false),
        Figure::Text(t) => match t.trim().strip_suffix('%') {
            Some(p) => (p.trim().parse::<f64>().ok()? / 100.0, true),
            None => (t.trim().parse::<f64>().ok()?, false),
        },
    };
    (x.is_finite() && x >= 0.0).then_some((x, relative))
}

/// The tolerance for `cited`: the claim's own (checked by [`parse`]), else `default`.
fn tolerance_of(c: &ClaimSpec, cited: f64, default: Option<f64>) -> Option<f64> {
    match c.tolerance.as_ref().and_then(parse_tolerance) {
        Some((x, true)) => Some(x * cited.abs()),
        Some((x, false)) => Some(x),
        None => default,
    }
}

/// Check every claim of the file at `path` (relative data paths resolve against its folder).
pub fn check_file(path: &Path) -> Result<CheckReport> {
    let name = path.display().to_string();
    let text = crate::input::read_bounded_text(path, crate::input::SPEC_MAX_BYTES, "claims file")?;
    let file = parse(&name, &text)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_else(|| ".".into());
    check(&file, &name, &text, &base)
}

/// Check a parsed claims file: run the analyses its claims use, then check each claim.
pub fn check(file: &ClaimsFile, name: &str, text: &str, base: &Path) -> Result<CheckReport> {
    let files = crate::report::load_data(&file.data, name, text, base)?;
    crate::report::preload(&files, &file.analyses, name, text)?;
    let mut reports: BTreeMap<String, Report> = BTreeMap::new();
    for a in &file.analyses {
        let used = file.claims.iter().any(|c| c.analysis.as_deref() == Some(a.name.get_ref().as_str()) && c.checkable != Some(false));
        if !used {
            continue;
        }
        let (f, o, _) = &files[a.data.get_ref()];
        let ctx = |e: Error| spec::spec_context(name, text, Some(a.name.span().start), format!("analysis '{}': {}", a.name.get_ref(), crate::report::strip_flags(&e.to_string())), e);
        let (r, _) = crate::report::run_analysis(a, f, o, &files, false).map_err(ctx)?;
        reports.insert(a.name.get_ref().clone(), r);
    }
    let mut out = Vec::new();
    for c in &file.claims {
        let id = c.id.get_ref();
        let ctx = |e: Error| spec::spec_context(name, text, Some(c.id.span().start), format!("claim '{id}': {}", e), e);
        out.push(check_claim(c, &reports).map_err(ctx)?);
    }
    Ok(CheckReport { trialstat_version: crate::analysis::VERSION, command: "check", file: name.to_string(), title: file.title.clone(), claims: out })
}

/// One claim: its source resolved to a report, then its figure evaluated against the summary
/// or result it names.
fn check_claim(c: &ClaimSpec, reports: &BTreeMap<String, Report>) -> Result<ClaimResult> {
    let mut res = ClaimResult {
        id: c.id.get_ref().clone(),
        source: c.source.clone(),
        statement: c.statement.clone(),
        cited: c.cited.as_ref().map(|f| {
            let mut s = figure_text(f);
            if let Some([a, b]) = &c.cited_ci {
                s = format!("{s} ({} to {})", figure_text(a), figure_text(b));
            }
            s
        }),
        cited_value: None,
        tolerance: None,
        computed_value: None,
        computed_text: String::new(),
        computed_what: String::new(),
        computed: None,
        verdict: Verdict::NotCheckable,
        why: String::new(),
        assumptions: c.assumptions.clone(),
    };
    if c.checkable == Some(false) {
        res.why = c.why.clone().unwrap_or_else(|| "marked not checkable".into());
        return Ok(res);
    }
    let report = resolve_source(c, reports)?;
    match &c.summary {
        Some(var) => evaluate_summary(c, var, &report, res),
        None => {
            let e = find_result(&report, c)?;
            Ok(evaluate_result(c, e, res))
        }
    }
}

/// The report a claim's figure comes from: its analysis, or the counts, rates or count it
/// gives, computed with the method it names (else each measure's recommended one).
fn resolve_source(c: &ClaimSpec, reports: &BTreeMap<String, Report>) -> Result<Report> {
    let methods = match &c.method {
        Some(m) => crate::analysis::MethodChoice::parse("method", std::slice::from_ref(m))?,
        None => crate::analysis::MethodChoice::Recommended,
    };
    let opts = CountOptions { level: c.level.unwrap_or(0.95), methods, ..Default::default() };
    if let Some(a) = &c.analysis {
        Ok(reports[a].clone())
    } else if let Some(k) = &c.counts {
        let t = crate::ingest::counts::parse_count("treated", &k.treated)?;
        let cc = crate::ingest::counts::parse_count("control", &k.control)?;
        let mut o = opts;
        if let Some(l) = &k.labels {
            o.labels = l.clone();
        }
        if let Some(e) = k.events {
            o.events = e;
        }
        o.input_notes = [t.note, cc.note].into_iter().flatten().collect();
        compare(&crate::data::TwoByTwo::new(t.count, cc.count), &o)
    } else if let Some(k) = &c.rates {
        let t = crate::ingest::counts::parse_person_time("treated", &k.treated)?;
        let cc = crate::ingest::counts::parse_person_time("control", &k.control)?;
        let mut o = opts;
        if let Some(l) = &k.labels {
            o.labels = l.clone();
        }
        compare_rates(&t, &cc, &o)
    } else if let Some(k) = &c.summaries {
        let t = crate::ingest::counts::parse_summary("treated", &k.treated)?;
        let cc = crate::ingest::counts::parse_summary("control", &k.control)?;
        let mut o = opts;
        if let Some(l) = &k.labels {
            o.labels = l.clone();
        }
        crate::analysis::counts::standardized(&t, &cc, &o)
    } else if let Some(k) = &c.count {
        let x = crate::ingest::counts::parse_count("count", k)?;
        single_proportion(&x.count, "group", &opts)
    } else {
        Err(Error::invalid("source", "none", "analysis, counts, rates, summaries or count"))
    }
}

/// The summary row of `var` for the claim's group, visit and parameter.
fn summary_row<'r>(report: &'r Report, c: &ClaimSpec, var: &str) -> Option<&'r crate::analysis::SummaryRow> {
    report.summaries.iter().find(|s| {
        s.variable == var
            && c.group.as_deref().is_none_or(|g| s.group == g)
            && c.visit.as_deref().is_none_or(|v| s.subset.visit.as_deref() == Some(v))
            && c.param.as_deref().is_none_or(|v| s.subset.param.as_deref() == Some(v))
    })
}

/// A claim on a summary (`summary = "change"`, `statistic = "median"`), or on
/// `reduction-of-means`: 1 − (follow-up mean / baseline mean) over the subjects with both, as
/// papers print "34% reduction from baseline".
fn evaluate_summary(c: &ClaimSpec, var: &str, report: &Report, mut res: ClaimResult) -> Result<ClaimResult> {
    let stat = c.statistic.as_deref().unwrap_or("mean");
    let row = summary_row(report, c, var);
    let value = if var == "reduction-of-means" {
        match (summary_row(report, c, "baseline").and_then(|r| r.summary.mean), summary_row(report, c, "follow-up").and_then(|r| r.summary.mean)) {
            (Some(b), Some(f)) if b != 0.0 => Some(1.0 - f / b),
            _ => None,
        }
    } else {
        row.and_then(|r| match stat {
            "mean" => r.summary.mean,
            "sd" => r.summary.sd,
            "median" => r.summary.median,
            "q1" => r.summary.q1,
            "q3" => r.summary.q3,
            "n" => Some(r.summary.n as f64),
            _ => None,
        })
    };
    let stat = if var == "reduction-of-means" { "(1 - follow-up mean / baseline mean)" } else { stat };
    res.computed_text = value.map(|v| shown_as(c.cited.as_ref(), v, None)).unwrap_or_default();
    res.computed_what = format!("{var} {stat}{}", c.group.as_ref().map(|g| format!(", {g}")).unwrap_or_default());
    if row.is_none() && var != "reduction-of-means" {
        let mut present: Vec<String> = report.summaries.iter().map(|s| format!("{} / {}", s.variable, s.group)).collect();
        present.dedup();
        present.truncate(16);
        return Err(Error::invalid("summary", format!("'{var}' for this group"), format!("one of (variable / group): {}", present.join("; "))));
    }
    if let (Some(v), Some((greater, bound))) = (value, c.cited.as_ref().and_then(figure_bound)) {
        res.computed_value = Some(v);
        res.cited_value = Some(bound);
        (res.verdict, res.why) = bound_verdict(greater, bound, v, None);
        return Ok(res);
    }
    let (Some(v), Some((cited, d))) = (value, c.cited.as_ref().and_then(figure_value)) else {
        res.why = format!("the summary '{var}' {stat} is undefined for this group (too few values, or a zero baseline mean)");
        return Ok(res);
    };
    let tol = tolerance_of(c, cited, d).unwrap_or(0.0);
    res.cited_value = Some(cited);
    res.tolerance = Some(tol);
    res.computed_value = Some(v);
    if (v - cited).abs() <= tol * (1.0 + 1e-12) {
        res.verdict = Verdict::Reproduced;
        res.why = format!("within {} of the cited figure", crate::fmt::sig(tol, 2));
    } else {
        res.verdict = Verdict::NotReproduced;
        res.why = format!("{} differs from the cited {} by {} (tolerance {})", crate::fmt::sig(v, 4), crate::fmt::sig(cited, 4), crate::fmt::sig((v - cited).abs(), 2), crate::fmt::sig(tol, 2));
    }
    Ok(res)
}

/// The result a claim names. A misspelt group or term must not pass as "not checkable": it is
/// an error in the claims file, listing what the analysis does give.
fn find_result<'r>(report: &'r Report, c: &ClaimSpec) -> Result<&'r Estimate> {
    if let Some(e) = pick(report, c) {
        return Ok(e);
    }
    let measure = c.measure.as_deref().unwrap_or("risk-ratio");
    let mut present: Vec<String> = report
        .results
        .iter()
        .filter(|e| e.measure.name() == measure)
        .map(|e| {
            let s = &e.subset;
            let mut parts: Vec<String> = [("group", &e.group), ("param", &s.param), ("visit", &s.visit), ("soc", &s.soc), ("term", &s.term), ("subgroup", &s.subgroup)]
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} = '{v}'")))
                .collect();
            parts.extend(e.at.map(|a| format!("at = {a}")));
            parts.join(", ")
        })
        .collect();
    present.dedup();
    present.truncate(12);
    let msg = if present.is_empty() {
        let mut m: Vec<&str> = report.results.iter().map(|e| e.measure.name()).collect();
        m.dedup();
        format!("the analysis gives no {measure}; it gives {}", m.join(", "))
    } else {
        format!("no {measure} matches the claim's group/param/visit/soc/term/method; the analysis has: {}", present.join("; "))
    };
    Err(Error::invalid("claim", "no matching result", msg))
}

/// A claim on a result: its estimate (or the number `statistic` names) against the cited
/// figure or bound, and the cited CI's bounds against the result's.
fn evaluate_result(c: &ClaimSpec, e: &Estimate, mut res: ClaimResult) -> ClaimResult {
    res.computed = Some(e.clone());
    res.computed_what = format!("{} ({}){}", e.measure, e.method, e.group.as_ref().map(|g| format!(", {g}")).unwrap_or_default());
    let (value, what) = match c.statistic.as_deref() {
        None | Some("estimate") => (e.estimate, None),
        Some("p-value") => (e.p_value, Some("p-value")),
        Some("ci-lower") => (e.ci.map(|ci| ci.lower), Some("CI lower bound")),
        Some("ci-upper") => (e.ci.map(|ci| ci.upper), Some("CI upper bound")),
        Some("statistic") => (e.statistic, Some("test statistic")),
        Some("n") => (e.n.map(|n| n as f64), Some("n")),
        Some("count") => (e.count.map(|n| n as f64), Some("count")),
        Some(x) => {
            res.why = format!("statistic = '{x}': for a result, one of estimate, p-value, ci-lower, ci-upper, statistic, n, count");
            return res;
        }
    };
    if let Some(w) = what {
        res.computed_what = format!("{w} of {}", res.computed_what);
    }
    res.computed_value = value;
    res.computed_text = value.map(|v| shown_as(c.cited.as_ref(), v, if what.is_none() { Some(e) } else { None })).unwrap_or_default();
    let undefined = |res: &ClaimResult| format!("the computed {} is undefined: {}", res.computed_what, e.notes.join("; "));
    if let Some((greater, bound)) = c.cited.as_ref().and_then(figure_bound) {
        res.cited_value = Some(bound);
        match value {
            Some(v) => (res.verdict, res.why) = bound_verdict(greater, bound, v, if what.is_none() { e.ci } else { None }),
            None => res.why = undefined(&res),
        }
        return res;
    }
    let Some((cited, default_tol)) = c.cited.as_ref().and_then(figure_value) else {
        return res;
    };
    let tol = tolerance_of(c, cited, default_tol).unwrap_or(0.0);
    res.cited_value = Some(cited);
    res.tolerance = Some(tol);
    let Some(x) = value else {
        res.why = undefined(&res);
        return res;
    };
    let mut problems = Vec::new();
    let diff = x - cited;
    if diff.abs() > tol * (1.0 + 1e-12) {
        problems.push(format!("estimate {} differs from the cited {} by {} (tolerance {})", crate::fmt::sig(x, 4), crate::fmt::sig(cited, 4), crate::fmt::sig(diff.abs(), 2), crate::fmt::sig(tol, 2)));
    }
    if let (Some(ci), None) = (&c.cited_ci, what) {
        problems.extend(ci_problems(c, ci, e, tol));
    }
    if problems.is_empty() {
        res.verdict = Verdict::Reproduced;
        res.why = format!("within {} of the cited figure", crate::fmt::sig(tol, 2));
    } else {
        res.verdict = Verdict::NotReproduced;
        res.why = problems.join("; ");
    }
    res
}

/// The cited CI's bounds against the result's: each within the claim's tolerance, or the
/// cited bound's own last digit, or the estimate's tolerance `tol`.
fn ci_problems(c: &ClaimSpec, [lo, hi]: &[Figure; 2], e: &Estimate, tol: f64) -> Vec<String> {
    let Some(ci) = e.ci else {
        return vec!["the cited CI cannot be compared: the result has no CI".into()];
    };
    let mut problems = Vec::new();
    for (what, f, got) in [("lower", lo, ci.lower), ("upper", hi, ci.upper)] {
        if let Some((v, d)) = figure_value(f) {
            let t = match (&c.tolerance, d) {
                (Some(_), _) => tolerance_of(c, v, d).unwrap_or(0.0),
                (None, Some(d)) => d,
                (None, None) => tol,
            };
            if (got - v).abs() > t * (1.0 + 1e-12) {
                problems.push(format!("CI {what} bound {} differs from the cited {} (tolerance {})", crate::fmt::sig(got, 4), crate::fmt::sig(v, 4), crate::fmt::sig(t, 2)));
            }
        }
    }
    problems
}

/// A computed value written as the cited figure is: a percentage for `54%`, a count over its
/// denominator for `87/161` (when the result has both), else four significant digits.
fn shown_as(cited: Option<&Figure>, v: f64, e: Option<&Estimate>) -> String {
    match cited {
        Some(Figure::Text(t)) if t.trim().ends_with('%') => {
            format!("{}%", crate::fmt::sig(100.0 * v, 4))
        }
        Some(Figure::Text(t)) if t.contains('/') => match e.and_then(|e| e.count.zip(e.n)) {
            Some((k, n)) => format!("{k}/{n}"),
            None => crate::fmt::sig(v, 4),
        },
        _ => crate::fmt::sig(v, 4),
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// JUnit XML: one test case per claim; a failure for "not reproduced", skipped for "not checkable".
pub fn junit(r: &CheckReport) -> String {
    let failures = r.claims.iter().filter(|c| c.verdict == Verdict::NotReproduced).count();
    let skipped = r.claims.iter().filter(|c| c.verdict == Verdict::NotCheckable).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<testsuites name=\"trialstat check\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n", r.claims.len()));
    x.push_str(&format!("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n", xml_escape(&r.file), r.claims.len()));
    for c in &r.claims {
        let class = c.source.clone().unwrap_or_else(|| r.file.clone());
        x.push_str(&format!("    <testcase classname=\"{}\" name=\"{}\">\n", xml_escape(&class), xml_escape(&c.id)));
        let computed = if c.computed_text.is_empty() { "none".to_string() } else { c.computed_text.clone() };
        match c.verdict {
            Verdict::NotReproduced => {
                x.push_str(&format!("      <failure message=\"{}\">cited {}, computed {}</failure>\n", xml_escape(&c.why), xml_escape(c.cited.as_deref().unwrap_or("")), xml_escape(&computed)))
            }
            Verdict::NotCheckable => x.push_str(&format!("      <skipped message=\"{}\"/>\n", xml_escape(&c.why))),
            Verdict::Reproduced => {}
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

/// Render the check: a text or Markdown table, CSV (cells neutralised, see
/// [`crate::render::csv_cell`]) or JSON.
pub fn render(r: &CheckReport, format: crate::render::Format) -> String {
    render_with(r, format, crate::render::CsvCells::Neutralised)
}

/// [`render`], choosing how CSV cells are written.
pub fn render_with(r: &CheckReport, format: crate::render::Format, cells: crate::render::CsvCells) -> String {
    use crate::render::{md_escape, write_csv_record, Format};
    // The CI on the cited figure's scale (percent when it is cited as a percentage).
    let ci_of = |c: &ClaimResult| {
        let pct = c.cited.as_deref().is_some_and(|t| t.split(" (").next().unwrap_or("").trim().ends_with('%'));
        let f = |v: f64| {
            if pct {
                format!("{}%", crate::fmt::sig(100.0 * v, 4))
            } else {
                crate::fmt::sig(v, 4)
            }
        };
        c.computed.as_ref().and_then(|e| e.ci.map(|ci| format!("{} to {}", f(ci.lower), f(ci.upper)))).unwrap_or_default()
    };
    let computed = |c: &ClaimResult| c.computed_text.clone();
    let method = |c: &ClaimResult| c.computed_what.clone();
    let rows: Vec<Vec<String>> =
        r.claims.iter().map(|c| vec![c.id.clone(), c.cited.clone().unwrap_or_default(), computed(c), ci_of(c), method(c), c.verdict.name().to_string(), c.why.clone()]).collect();
    let head = ["claim", "cited", "computed", "CI", "what", "verdict", "why"];
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Csv => {
            let mut w = crate::render::csv_writer();
            write_csv_record(&mut w, head, cells);
            for row in &rows {
                write_csv_record(&mut w, row, cells);
            }
            String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
        }
        Format::Rtf => {
            let why: Vec<String> = r.claims.iter().map(|c| format!("{}: {}", c.id, c.why)).collect();
            let table = ("Claims".to_string(), head[..6].iter().map(|h| h.to_string()).collect(), rows.iter().map(|r| r[..6].to_vec()).collect());
            crate::render::rtf::document(&format!("trialstat check: {}", r.title.clone().unwrap_or_else(|| r.file.clone())), &[table], &why)
        }
        Format::Markdown => {
            let mut s = format!("### trialstat check: {}\n\n| {} |\n|{}\n", md_escape(&r.title.clone().unwrap_or_else(|| r.file.clone())), head.join(" | "), "---|".repeat(head.len()));
            for row in &rows {
                s.push_str(&format!("| {} |\n", row.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | ")));
            }
            s
        }
        Format::Text => {
            let mut s = format!("trialstat check: {}\n\n", r.title.clone().unwrap_or_else(|| r.file.clone()));
            let show: Vec<Vec<String>> = std::iter::once(head[..6].iter().map(|h| h.to_string()).collect()).chain(rows.iter().map(|r| r[..6].to_vec())).collect();
            let mut w = [0usize; 6];
            for row in &show {
                for (i, c) in row.iter().enumerate() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
            for row in &show {
                let mut line = String::from(" ");
                for (i, c) in row.iter().enumerate() {
                    line.push(' ');
                    line.push_str(c);
                    if i + 1 < row.len() {
                        line.push_str(&" ".repeat(w[i] - c.chars().count() + 1));
                    }
                }
                s.push_str(line.trim_end());
                s.push('\n');
            }
            let (ok, bad, skip) = (
                r.claims.iter().filter(|c| c.verdict == Verdict::Reproduced).count(),
                r.claims.iter().filter(|c| c.verdict == Verdict::NotReproduced).count(),
                r.claims.iter().filter(|c| c.verdict == Verdict::NotCheckable).count(),
            );
            s.push_str(&format!("\n{ok} reproduced, {bad} not reproduced, {skip} not checkable\n"));
            s.push_str("\nWhy\n");
            for c in &r.claims {
                s.push_str(&format!("  - {}: {}", c.id, c.why));
                if let Some(a) = &c.assumptions {
                    s.push_str(&format!(" (assumes {a})"));
                }
                s.push('\n');
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_figure;

    #[test]
    fn cited_texts_and_their_rounding() {
        assert_eq!(parse_figure("4.6"), Some((4.6, 0.05)));
        let (v, t) = parse_figure("12.4%").unwrap();
        assert!((v - 0.124).abs() < 1e-15 && (t - 0.0005).abs() < 1e-15);
        assert_eq!(parse_figure("3x"), Some((3.0, 0.5)));
        assert_eq!(parse_figure("87/161").map(|(v, _)| v), Some(87.0 / 161.0));
        assert_eq!(parse_figure("nearly three"), None);
        assert_eq!(parse_figure("nearly 3×"), Some((3.0, 0.5)));
        assert_eq!(parse_figure("~2.3-fold"), Some((2.3, 0.05)));
        assert_eq!(parse_figure("-4.6"), Some((-4.6, 0.05)));
    }
}
