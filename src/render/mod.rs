//! Rendering reports: text (a readable table), Markdown, RTF ([`rtf`]), CSV and JSON.
//!
//! Text, Markdown and RTF show rounded numbers (the precision policy of [`crate::fmt`]) and
//! per-result notes gathered under "Notes"; CSV and JSON carry full precision (shortest
//! round-trip decimal). A result never formats itself: this module decides how each measure reads.

pub mod rtf;

use crate::analysis::{Report, TableKind};
use crate::fmt::{fixed, pvalue, sig, thousands};
use crate::stats::{Ci, Estimate, Measure};

/// Output formats of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Markdown,
    /// Rich Text Format: the tables of the text output as RTF tables (landscape, ruled header
    /// rows repeated on each page), for clinical study reports.
    Rtf,
}

/// How CSV cells that a spreadsheet would read as a formula are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvCells {
    /// Prefixed with `'` (the default): see [`csv_cell`].
    #[default]
    Neutralised,
    /// As they are (`--csv-raw`; `csv_raw = true` in a study spec).
    Raw,
}

/// A CSV cell as it is written: under [`CsvCells::Neutralised`], a cell beginning with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading single quote `'`, so that Excel,
/// LibreOffice and Google Sheets show it as text rather than evaluate it as a formula
/// (`=HYPERLINK("http://x")`, `@SUM(...)`), as the OWASP "CSV Injection" guidance advises
/// (<https://owasp.org/www-community/attacks/CSV_Injection>). A cell that is a number (`-4.64`,
/// `-1e-5`, `+3`, `-Inf`) stays as it is, so numeric columns stay numeric. Quoting of commas,
/// quotes and line ends is the csv writer's job. Every CSV trialstat writes goes through here.
pub fn csv_cell(s: &str, cells: CsvCells) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if cells == CsvCells::Raw || !risky || s.parse::<f64>().is_ok() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("'{s}"))
    }
}

/// A CSV writer for trialstat's output (`\n` line ends) into memory.
pub fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new())
}

/// Write one record, each cell through [`csv_cell`].
pub fn write_csv_record<I, S>(w: &mut csv::Writer<Vec<u8>>, record: I, cells: CsvCells)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let row: Vec<String> = record.into_iter().map(|c| csv_cell(c.as_ref(), cells).into_owned()).collect();
    // Writing into memory cannot fail.
    let _ = w.write_record(&row);
}

/// Render `report` in `format`; the string ends with a newline. CSV cells are neutralised
/// ([`csv_cell`]).
pub fn render(report: &Report, format: Format) -> String {
    render_with(report, format, CsvCells::Neutralised)
}

/// [`render`], choosing how CSV cells are written.
pub fn render_with(report: &Report, format: Format, cells: CsvCells) -> String {
    match format {
        Format::Text => text(report),
        Format::Markdown => markdown(report),
        Format::Rtf => rtf::document(&format!("trialstat {}: {}", report.command, report.layout.title), &tables(report), &all_notes(report)),
        Format::Csv => csv_with(report, cells),
        Format::Json => json(report),
    }
}

/// The JSON contract, pretty-printed.
pub fn json(report: &Report) -> String {
    // Serialising plain structs of numbers and strings cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Column names of the CSV output, in order.
pub const CSV_COLUMNS: [&str; 25] = [
    "measure", "method", "group", "param", "visit", "soc", "term", "outcome", "subgroup", "sensitivity", "at", "estimate", "ci_lower", "ci_upper", "ci_level", "ci_disjoint", "statistic", "df", "p_value", "se", "se_log", "n", "count", "events", "notes",
];

/// One row per result, full precision; empty cell = not applicable; infinities as `Inf`/`-Inf`;
/// cells neutralised ([`csv_cell`]).
pub fn csv(report: &Report) -> String {
    csv_with(report, CsvCells::Neutralised)
}

/// [`csv`], choosing how cells are written.
pub fn csv_with(report: &Report, cells: CsvCells) -> String {
    if let Some(b) = &report.baseline {
        return baseline_csv(b, cells);
    }
    let mut w = csv_writer();
    let num = |x: Option<f64>| match x {
        None => String::new(),
        Some(v) if v.is_nan() => String::new(),
        Some(v) if v == f64::INFINITY => "Inf".into(),
        Some(v) if v == f64::NEG_INFINITY => "-Inf".into(),
        Some(v) => format!("{v}"),
    };
    write_csv_record(&mut w, CSV_COLUMNS, cells);
    for e in &report.results {
        let ci = e.ci;
        write_csv_record(
            &mut w,
            [
            e.measure.name().to_string(),
            e.method.name().to_string(),
            e.group.clone().unwrap_or_default(),
            e.subset.param.clone().unwrap_or_default(),
            e.subset.visit.clone().unwrap_or_default(),
            e.subset.soc.clone().unwrap_or_default(),
            e.subset.term.clone().unwrap_or_default(),
            e.subset.outcome.clone().unwrap_or_default(),
            e.subset.subgroup.clone().unwrap_or_default(),
            e.subset.sensitivity.clone().unwrap_or_default(),
            num(e.at),
            num(e.estimate),
            num(ci.map(|c| c.lower)),
            num(ci.map(|c| c.upper)),
            num(ci.map(|c| c.level)),
            ci.map(|c| if c.disjoint { "true" } else { "false" }.to_string()).unwrap_or_default(),
            num(e.statistic),
            num(e.df),
            num(e.p_value),
            num(e.se),
            num(e.se_log),
            e.n.map(|n| n.to_string()).unwrap_or_default(),
            e.count.map(|n| n.to_string()).unwrap_or_default(),
            e.events.map(|n| n.to_string()).unwrap_or_default(),
            e.notes.join("; "),
            ],
            cells,
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Column names of a baseline table's CSV: one row per variable, statistic or level, and group.
pub const BASELINE_CSV_COLUMNS: [&str; 15] = ["variable", "label", "kind", "level", "group", "group_n", "n", "n_missing", "count", "percent", "mean", "sd", "median", "q1", "q3"];

/// A baseline table as tidy CSV, full precision.
fn baseline_csv(b: &crate::analysis::baseline::BaselineTable, cells: CsvCells) -> String {
    use crate::analysis::baseline::VarKind;
    let mut w = csv_writer();
    write_csv_record(&mut w, BASELINE_CSV_COLUMNS, cells);
    let num = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
    for r in &b.rows {
        let kind = if r.kind == VarKind::Continuous { "continuous" } else { "categorical" };
        for (g, grp) in b.groups.iter().enumerate() {
            if r.kind == VarKind::Continuous {
                let s = &r.summaries[g];
                write_csv_record(
                    &mut w,
                    [r.column.clone(), r.label.clone(), kind.into(), String::new(), grp.group.clone(), grp.n.to_string(), s.n.to_string(), s.n_missing.to_string(), String::new(), String::new(), num(s.mean), num(s.sd), num(s.median), num(s.q1), num(s.q3)],
                    cells,
                );
            } else {
                for l in &r.levels {
                    write_csv_record(
                        &mut w,
                        [r.column.clone(), r.label.clone(), kind.into(), l.level.clone().unwrap_or_default(), grp.group.clone(), grp.n.to_string(), String::new(), String::new(), l.counts[g].to_string(), format!("{}", l.percents[g]), String::new(), String::new(), String::new(), String::new(), String::new()],
                        cells,
                    );
                }
            }
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Human name of a measure.
pub fn measure_label(m: Measure, single_sample: bool) -> &'static str {
    use Measure::*;
    match m {
        Proportion if single_sample => "proportion",
        Proportion => "risk",
        RiskRatio => "risk ratio",
        OddsRatio => "odds ratio",
        RiskDifference => "risk difference",
        Nnt => "NNT",
        FisherExact => "Fisher exact test",
        PearsonChi2 => "Pearson chi-squared",
        MhRiskRatio => "MH risk ratio",
        MhOddsRatio => "MH odds ratio",
        MhRiskDifference => "MH risk difference",
        Cmh => "CMH test",
        BreslowDay => "Breslow-Day test",
        Rate => "rate",
        RateRatio => "rate ratio",
        RateDifference => "rate difference",
        MeanDifference => "mean difference",
        CohensD => "Cohen's d",
        HedgesG => "Hedges' g",
        GlassDelta => "Glass's delta",
        MeanChange => "mean change",
        DZ => "d_z",
        GZ => "g_z",
        WilcoxonSignedRank => "Wilcoxon signed-rank",
        MannWhitney => "Mann-Whitney",
        HodgesLehmann => "Hodges-Lehmann shift",
        AncovaDifference => "ANCOVA difference",
        Bootstrap => "bootstrap",
        SurvivalQuantile => "survival time quantile",
        SurvivalAt => "survival",
        Rmst => "RMST",
        RmstDifference => "RMST difference",
        RmstRatio => "RMST ratio",
        HazardRatio => "hazard ratio",
        LogRank => "log-rank test",
        CoxTest => "Cox model test",
        ProportionalHazards => "proportional-hazards test",
        Interaction => "interaction test",
        PetoOddsRatio => "Peto odds ratio",
        RatioOfMeans => "ratio of means",
        Effect => "effect",
        PredictionInterval => "prediction interval",
        Tau2 => "tau²",
        Tau => "tau",
        I2 => "I²",
        H2 => "H²",
        CochranQ => "Q test (heterogeneity)",
        SubgroupDifference => "test for subgroup differences",
        EggerTest => "Egger's test (slope on SE)",
        MetaRegression => "meta-regression coefficient",
        RSquared => "R² (τ² explained)",
    }
}

/// Formatted cells of one result.
struct Cells {
    measure: String,
    method: String,
    group: String,
    estimate: String,
    ci: String,
    test: String,
    p: String,
}

fn cells(e: &Estimate, report: &Report) -> Cells {
    let scale = report.layout.rate_scale.unwrap_or(1.0);
    // The precision policy: the estimate and its CI limits share their decimals
    // (crate::fmt::shared_decimals), on the scale they are shown (percent, per-person-time).
    let kind = scale_in(e, report);
    let shown = |k: f64| {
        let d = crate::fmt::shared_decimals(kind, e.estimate.map(|x| x * k), e.ci.map(|c| (c.lower * k, c.upper * k)));
        move |x: f64| fixed(x * k, d)
    };
    let (est, ci) = match e.measure {
        Measure::Proportion | Measure::SurvivalAt | Measure::I2 | Measure::RSquared => {
            let f = shown(100.0);
            (e.estimate.map(|x| format!("{}%", f(x))), e.ci.map(|c| range(c, |x| format!("{}%", f(x)))))
        }
        Measure::RiskDifference | Measure::MhRiskDifference => {
            let f = shown(100.0);
            (e.estimate.map(|x| format!("{} pp", f(x))), e.ci.map(|c| range(c, |x| format!("{} pp", f(x)))))
        }
        Measure::Rate | Measure::RateDifference => {
            let f = shown(scale);
            (e.estimate.map(&f), e.ci.map(|c| range(c, f)))
        }
        Measure::Nnt => {
            let d = crate::fmt::shared_decimals(kind, e.estimate.map(f64::abs), e.ci.map(|c| (c.lower.abs().min(c.upper.abs()), c.lower.abs().max(c.upper.abs()))));
            (e.estimate.map(|x| nnt_value(x, d)), e.ci.map(|c| nnt_ci(c, d)))
        }
        Measure::FisherExact => {
            let f = shown(1.0);
            (e.estimate.map(|x| format!("OR {}", f(x))), e.ci.map(|c| range(c, f)))
        }
        // A quantile not reached (or a limit not reached) reads NR, as survival tables print it.
        Measure::SurvivalQuantile => {
            let f = shown(1.0);
            let nr = move |x: f64| if x.is_finite() { f(x) } else { "NR".into() };
            (Some(e.estimate.map_or("NR".into(), &nr)), e.ci.map(|c| range(c, nr)))
        }
        _ => {
            let f = shown(1.0);
            (e.estimate.map(&f), e.ci.map(|c| range(c, f)))
        }
    };
    let test = match e.statistic {
        Some(s) => {
            let name = match e.measure {
                Measure::PearsonChi2 | Measure::Cmh | Measure::BreslowDay | Measure::LogRank | Measure::CoxTest | Measure::ProportionalHazards | Measure::Interaction | Measure::CochranQ | Measure::SubgroupDifference => {
                    "chi2"
                }
                Measure::EggerTest | Measure::MetaRegression | Measure::Effect | Measure::RiskRatio | Measure::OddsRatio | Measure::RiskDifference | Measure::HazardRatio | Measure::RatioOfMeans | Measure::PetoOddsRatio if e.df.is_some() => "t",
                Measure::MeanDifference | Measure::MeanChange | Measure::AncovaDifference => "t",
                // Effect sizes carry the t statistic their noncentral-t CI inverts.
                Measure::CohensD | Measure::HedgesG | Measure::GlassDelta | Measure::DZ | Measure::GZ => "t",
                Measure::WilcoxonSignedRank => "V",
                Measure::MannWhitney | Measure::HodgesLehmann => "W",
                _ => "z",
            };
            match e.df {
                Some(df) => format!("{name} = {}, df = {}", sig(s, 4), sig(df, 4)),
                None => format!("{name} = {}", sig(s, 4)),
            }
        }
        None => String::new(),
    };
    let measure = match &e.subset.outcome {
        Some(o) => format!("{} of {o}", measure_label(e.measure, report.layout.single_sample)),
        None => measure_label(e.measure, report.layout.single_sample).to_string(),
    };
    Cells {
        measure: time_measure(e, &report.layout).unwrap_or(measure),
        method: e.method.name().to_string(),
        group: match (&e.group, &e.subset.subgroup) {
            (Some(g), Some(s)) => format!("{g} [{s}]"),
            (None, Some(s)) => format!("by {s}"),
            (g, None) => g.clone().unwrap_or_default(),
        },
        // A pure test has no estimate: leave the cell empty; an undefined estimate reads NA.
        estimate: est.unwrap_or_else(|| if e.statistic.is_some() { String::new() } else { "NA".into() }),
        ci: ci.unwrap_or_default(),
        test,
        p: e.p_value.map(pvalue).unwrap_or_default(),
    }
}

/// How the precision policy treats a measure's estimate (crate::fmt::Scale).
pub fn precision_scale(m: Measure) -> crate::fmt::Scale {
    use Measure::*;
    match m {
        _ if m.is_ratio() => crate::fmt::Scale::Ratio,
        Proportion | SurvivalAt | I2 | RSquared | RiskDifference | MhRiskDifference => crate::fmt::Scale::Percent,
        _ => crate::fmt::Scale::Other,
    }
}

/// The precision scale of `e` in `report`: a prediction interval takes that of the pooled
/// estimate it goes with (a ratio when the report pools ratios).
pub fn scale_in(e: &Estimate, report: &Report) -> crate::fmt::Scale {
    if e.measure == Measure::PredictionInterval && report.results.iter().any(|r| r.measure.is_ratio()) {
        crate::fmt::Scale::Ratio
    } else {
        precision_scale(e.measure)
    }
}

/// The label of a time-to-event measure with its time or probability and unit: "median
/// (days)", "survival at 12 months", "RMST to 24 months".
fn time_measure(e: &Estimate, layout: &crate::analysis::Layout) -> Option<String> {
    let unit = layout.time_unit.as_deref().unwrap_or("time units");
    let at = e.at?;
    Some(match e.measure {
        Measure::SurvivalQuantile if at == 0.5 => format!("median ({unit})"),
        Measure::SurvivalQuantile => format!("{}th percentile ({unit})", crate::fmt::trim_num(at * 100.0, 2)),
        // "at 1 month", "at 12 months".
        Measure::SurvivalAt => format!("survival at {} {}", crate::fmt::sig(at, 4), if at == 1.0 { unit.trim_end_matches('s') } else { unit }),
        Measure::Rmst => format!("RMST to {} ({unit})", crate::fmt::sig(at, 4)),
        Measure::RmstDifference => format!("RMST difference to {} ({unit})", crate::fmt::sig(at, 4)),
        Measure::RmstRatio => format!("RMST ratio to {}", crate::fmt::sig(at, 4)),
        _ => return None,
    })
}

fn range(c: Ci, f: impl Fn(f64) -> String) -> String {
    format!("{} to {}", f(c.lower), f(c.upper))
}

fn nnt_value(x: f64, d: usize) -> String {
    if x.is_infinite() {
        "inf (no difference)".into()
    } else if x > 0.0 {
        format!("NNTB {}", fixed(x, d))
    } else {
        format!("NNTH {}", fixed(-x, d))
    }
}

fn nnt_ci(c: Ci, d: usize) -> String {
    let abs = |x: f64| if x.is_infinite() { "inf".to_string() } else { fixed(x.abs(), d) };
    if c.disjoint {
        format!("NNTH {} to inf to NNTB {}", abs(c.lower), abs(c.upper))
    } else if c.lower > 0.0 {
        format!("NNTB {} to {}", abs(c.lower), abs(c.upper))
    } else {
        // Both bounds negative (harm): print |upper| .. |lower| in increasing order.
        format!("NNTH {} to {}", abs(c.upper), abs(c.lower))
    }
}

fn level_of(report: &Report) -> f64 {
    report.results.iter().find_map(|e| e.ci.map(|c| c.level)).or_else(|| report.inputs.get("level").and_then(|v| v.as_f64())).unwrap_or(0.95)
}

fn level_label(report: &Report) -> String {
    format!("{}% CI", crate::fmt::trim_num(level_of(report) * 100.0, 6))
}

fn is_group_row(e: &Estimate) -> bool {
    matches!(e.measure, Measure::Proportion | Measure::Rate)
}

/// Table blocks shared by text and Markdown: (heading, header, rows).
/// A table as renderers draw it: (heading, header, rows).
pub type Table = (String, Vec<String>, Vec<Vec<String>>);

fn tables(report: &Report) -> Vec<Table> {
    if report.layout.table == TableKind::AeRows {
        return vec![ae_table(report)];
    }
    if report.layout.table == TableKind::Meta {
        return meta_tables(report);
    }
    if let Some(b) = &report.baseline {
        return vec![baseline_table(b)];
    }
    let ci_head = level_label(report);
    let mut out = Vec::new();
    let group_results: Vec<&Estimate> = report.results.iter().filter(|e| is_group_row(e)).collect();
    if !group_results.is_empty() {
        out.push(group_table(report, &group_results, &ci_head));
    } else if report.layout.table == TableKind::Strata && !report.layout.groups.is_empty() {
        let head = vec!["stratum".into(), "treated events/n".into(), "control events/n".into()];
        let rows = report.layout.groups.iter().map(|g| vec![g.label.clone(), g.count.clone(), g.denominator.clone()]).collect();
        out.push(("Strata".to_string(), head, rows));
    }
    if !report.summaries.is_empty() {
        out.push(summary_table(report));
    }
    let others: Vec<&Estimate> = report.results.iter().filter(|e| !is_group_row(e)).collect();
    if !others.is_empty() {
        out.push(estimate_table(report, &others, ci_head));
    }
    if !report.curves.is_empty() {
        out.push(risk_table(report));
    }
    out
}

/// Indentation of a row under its heading that survives Markdown and HTML (non-breaking spaces).
const INDENT: &str = "\u{a0}\u{a0}\u{a0}\u{a0}";

/// "Table 1": a heading row per variable, then its statistics (continuous: mean (SD), median
/// [Q1, Q3], missing when any) or levels (n (%)), one column per group headed with its N.
fn baseline_table(b: &crate::analysis::baseline::BaselineTable) -> Table {
    use crate::analysis::baseline::VarKind;
    let mut head = vec!["Characteristic".to_string()];
    head.extend(b.groups.iter().map(|g| format!("{} (N = {})", g.label, g.n)));
    let mut rows = Vec::new();
    for r in &b.rows {
        let label = match &r.unit {
            Some(u) => format!("{} ({u})", r.label),
            None => r.label.clone(),
        };
        match r.kind {
            VarKind::Continuous => {
                // One decimal for every statistic of every arm (one precision per table).
                let f = |x: Option<f64>| x.map_or("NA".to_string(), |v| format!("{v:.1}"));
                rows.push(std::iter::once(label).chain(b.groups.iter().map(|_| String::new())).collect());
                rows.push(std::iter::once(format!("{INDENT}mean (SD)")).chain(r.summaries.iter().map(|s| format!("{} ({})", f(s.mean), f(s.sd)))).collect());
                rows.push(std::iter::once(format!("{INDENT}median [Q1, Q3]")).chain(r.summaries.iter().map(|s| format!("{} [{}, {}]", f(s.median), f(s.q1), f(s.q3)))).collect());
                if r.summaries.iter().any(|s| s.n_missing > 0) {
                    rows.push(std::iter::once(format!("{INDENT}missing")).chain(r.summaries.iter().map(|s| s.n_missing.to_string())).collect());
                }
            }
            VarKind::Categorical => {
                rows.push(std::iter::once(format!("{label}, n (%)")).chain(b.groups.iter().map(|_| String::new())).collect());
                for l in &r.levels {
                    rows.push(std::iter::once(format!("{INDENT}{}", l.label)).chain(l.counts.iter().zip(&l.percents).map(|(c, p)| format!("{c} ({p:.1})"))).collect());
                }
            }
        }
    }
    ("Baseline characteristics".to_string(), head, rows)
}

/// The model of a pooled meta-analysis row, as forest plots label it.
pub fn meta_model_label(e: &Estimate) -> String {
    use crate::stats::Method as M;
    match e.method {
        M::GreenlandRobins | M::RobinsBreslowGreenland | M::Sato => "Common effect (Mantel–Haenszel)".into(),
        M::Peto => "Common effect (Peto)".into(),
        M::InverseVariance => "Common effect (inverse variance)".into(),
        m if e.df.is_some() && e.measure != Measure::PredictionInterval => format!("Random effects ({}, HKSJ)", tau2_label(m)),
        m => format!("Random effects ({})", tau2_label(m)),
    }
}

/// The short name of a τ² estimator.
pub fn tau2_label(m: crate::stats::Method) -> &'static str {
    use crate::stats::Method as M;
    match m {
        M::Reml => "REML",
        M::Ml => "ML",
        M::DerSimonianLaird => "DL",
        M::PauleMandel => "PM",
        M::SidikJonkman => "SJ",
        M::HedgesEstimator => "HE",
        M::EmpiricalBayes => "EB",
        M::HunterSchmidt => "HS",
        _ => "common effect",
    }
}

fn is_pooled_effect(e: &Estimate) -> bool {
    !matches!(
        e.measure,
        Measure::PredictionInterval | Measure::Tau2 | Measure::Tau | Measure::I2 | Measure::H2 | Measure::CochranQ | Measure::SubgroupDifference | Measure::EggerTest | Measure::MetaRegression | Measure::RSquared
    )
}

/// The tables of a meta-analysis: the studies (arms, estimate, CI, weights), the pooled
/// estimates, heterogeneity, then subgroups, meta-regression, small-study effects and the
/// sensitivity analyses when asked for.
fn meta_tables(report: &Report) -> Vec<Table> {
    let ci_head = level_label(report);
    let main: Vec<&Estimate> = report.results.iter().filter(|e| e.subset.sensitivity.is_none() && e.subset.subgroup.is_none()).collect();
    let measure = main.iter().find(|e| e.group.is_some()).or(main.first()).map_or(Measure::Effect, |e| e.measure);
    let label = measure_label(measure, false);
    let arms: Vec<String> = report.layout.groups.iter().map(|g| g.label.clone()).collect();
    let with_arms = report.studies.iter().any(|s| s.arms.is_some());
    let mut head = vec!["study".to_string()];
    if with_arms {
        head.extend(arms.iter().cloned());
    }
    head.extend([label.to_string(), ci_head.clone(), "weight (common)".into(), "weight (random)".into()]);
    let pct1 = |x: Option<f64>| x.map(|w| format!("{:.1}%", w)).unwrap_or_default();
    let mut rows = Vec::new();
    for s in report.studies.iter().filter(|s| !s.filled) {
        let mut r = vec![if s.corrected { format!("{} *", s.study) } else { s.study.clone() }];
        if with_arms {
            let [a, b] = s.arms.clone().unwrap_or_default();
            r.extend([a, b]);
        }
        match main.iter().find(|e| e.group.as_deref() == Some(s.study.as_str())) {
            Some(e) => {
                let c = cells(e, report);
                r.extend([c.estimate, c.ci, pct1(s.weight_common), pct1(s.weight_random)]);
            }
            None => r.extend([String::new(), format!("left out: {}", s.left_out.clone().unwrap_or_default()), String::new(), String::new()]),
        }
        rows.push(r);
    }
    let mut out = vec![("Studies (* ½ added to each cell)".to_string(), head, rows)];
    if !report.studies.iter().any(|s| s.corrected) {
        out[0].0 = "Studies".into();
    }
    let pooled_rows = |list: &[&Estimate]| -> Vec<Vec<String>> {
        list.iter()
            .map(|e| {
                let c = cells(e, report);
                let model = if e.measure == Measure::PredictionInterval { "Prediction interval".to_string() } else { meta_model_label(e) };
                vec![model, c.estimate, c.ci, c.test, c.p, e.n.map(|n| n.to_string()).unwrap_or_default()]
            })
            .collect()
    };
    let pooled: Vec<&Estimate> = main.iter().copied().filter(|e| e.group.is_none() && (is_pooled_effect(e) || e.measure == Measure::PredictionInterval)).collect();
    out.push(("Pooled estimates".into(), vec!["model".into(), label.into(), ci_head.clone(), "test".into(), "p-value".into(), "studies".into()], pooled_rows(&pooled)));
    let het: Vec<&Estimate> = main.iter().copied().filter(|e| matches!(e.measure, Measure::Tau2 | Measure::Tau | Measure::I2 | Measure::H2 | Measure::CochranQ)).collect();
    let het_rows = |list: &[&Estimate]| -> Vec<Vec<String>> {
        list.iter()
            .map(|e| {
                let c = cells(e, report);
                vec![measure_label(e.measure, false).to_string(), c.estimate, c.ci, c.test, c.p]
            })
            .collect()
    };
    out.push(("Heterogeneity".into(), vec!["statistic".into(), "estimate".into(), ci_head.clone(), "test".into(), "p-value".into()], het_rows(&het)));
    let subgroup: Vec<&Estimate> = report.results.iter().filter(|e| e.subset.subgroup.is_some() && e.subset.sensitivity.is_none() && !matches!(e.measure, Measure::MetaRegression | Measure::RSquared) && !(e.measure == Measure::Tau2 && e.subset.subgroup.as_deref().is_some_and(|s| !s.contains(" = ")))).collect();
    if !subgroup.is_empty() {
        let rows = subgroup
            .iter()
            .filter(|e| is_pooled_effect(e) || matches!(e.measure, Measure::Tau2 | Measure::I2 | Measure::CochranQ | Measure::SubgroupDifference))
            .map(|e| {
                let c = cells(e, report);
                let what = if is_pooled_effect(e) { meta_model_label(e) } else if e.measure == Measure::SubgroupDifference { format!("{} ({})", measure_label(e.measure, false), if e.method == crate::stats::Method::InverseVariance { "common effect" } else { "random effects" }) } else { measure_label(e.measure, false).to_string() };
                vec![e.subset.subgroup.clone().unwrap_or_default(), what, c.estimate, c.ci, c.test, c.p, e.n.map(|n| n.to_string()).unwrap_or_default()]
            })
            .collect();
        out.push(("Subgroups".into(), vec!["subgroup".into(), "result".into(), "estimate".into(), ci_head.clone(), "test".into(), "p-value".into(), "studies".into()], rows));
    }
    let reg: Vec<&Estimate> = report.results.iter().filter(|e| matches!(e.measure, Measure::MetaRegression | Measure::RSquared) || (e.measure == Measure::Tau2 && e.subset.subgroup.as_deref().is_some_and(|s| !s.contains(" = ")))).collect();
    if !reg.is_empty() {
        let rows = reg
            .iter()
            .map(|e| {
                let c = cells(e, report);
                let what = match (e.measure, e.subset.outcome.as_deref()) {
                    (Measure::MetaRegression, Some(o)) => o.to_string(),
                    (Measure::MetaRegression, None) => format!("slope per unit of {}", e.subset.subgroup.clone().unwrap_or_default()),
                    (Measure::Tau2, _) => "residual τ²".into(),
                    (m, _) => measure_label(m, false).to_string(),
                };
                vec![what, c.method, c.estimate, c.ci, c.test, c.p]
            })
            .collect();
        out.push(("Meta-regression (analysis scale)".into(), vec!["term".into(), "method".into(), "estimate".into(), ci_head.clone(), "test".into(), "p-value".into()], rows));
    }
    let small: Vec<&Estimate> = report.results.iter().filter(|e| e.measure == Measure::EggerTest || e.subset.sensitivity.as_deref() == Some("trim-and-fill")).collect();
    if !small.is_empty() {
        let rows = small
            .iter()
            .map(|e| {
                let c = cells(e, report);
                let what = if e.measure == Measure::EggerTest {
                    if e.method == crate::stats::Method::Egger { "Egger's test: slope on SE (weighted regression)".to_string() } else { format!("Egger's test: slope on SE (mixed effects, {})", tau2_label(e.method)) }
                } else {
                    format!("trim and fill: {} with {} filled", meta_model_label(e), e.count.unwrap_or(0))
                };
                vec![what, c.estimate, c.ci, c.test, c.p]
            })
            .collect();
        out.push(("Small-study effects".into(), vec!["result".into(), "estimate".into(), ci_head.clone(), "test".into(), "p-value".into()], rows));
    }
    for (what, heading, col) in [("leave-one-out", "Leave one out", "study left out"), ("cumulative", "Cumulative meta-analysis", "study added")] {
        let list: Vec<&Estimate> = report.results.iter().filter(|e| e.subset.sensitivity.as_deref() == Some(what)).collect();
        if list.is_empty() {
            continue;
        }
        let rows = list
            .iter()
            .filter(|e| is_pooled_effect(e))
            .map(|e| {
                let c = cells(e, report);
                let find = |m: Measure| list.iter().find(|x| x.measure == m && x.group == e.group).map(|x| cells(x, report));
                let q = list.iter().find(|x| x.measure == Measure::CochranQ && x.group == e.group);
                vec![
                    e.group.clone().unwrap_or_default(),
                    c.estimate,
                    c.ci,
                    c.p,
                    find(Measure::Tau2).map(|x| x.estimate).unwrap_or_default(),
                    find(Measure::I2).map(|x| x.estimate).unwrap_or_default(),
                    q.and_then(|q| q.p_value).map(pvalue).unwrap_or_default(),
                ]
            })
            .collect();
        out.push((heading.to_string(), vec![col.into(), label.into(), ci_head.clone(), "p-value".into(), "τ²".into(), "I²".into(), "Q p-value".into()], rows));
    }
    out
}

/// Numbers at risk by arm at each time of the curves' risk tables, with the events and
/// censorings from that time up to the next in brackets.
fn risk_table(report: &Report) -> Table {
    let unit = report.layout.time_unit.as_deref().unwrap_or("time units");
    let times: Vec<f64> = report.curves[0].risk_table.iter().map(|r| r.time).collect();
    let head = std::iter::once("arm".to_string()).chain(times.iter().map(|t| crate::fmt::trim_num(*t, 6))).collect();
    let rows = report
        .curves
        .iter()
        .map(|c| std::iter::once(c.group.clone()).chain(c.risk_table.iter().map(|r| format!("{} ({}, {})", r.n_risk, r.events, r.censored))).collect())
        .collect();
    (format!("Number at risk at each time ({unit}); in brackets, events and censored before the next time"), head, rows)
}

/// "By group": each group's count, denominator, risk (proportion, rate) and CI.
fn group_table(report: &Report, group_results: &[&Estimate], ci_head: &str) -> Table {
    let what = match (report.layout.rate_scale, report.layout.single_sample) {
        (Some(scale), _) if report.layout.denominator_name.starts_with("person-") && report.layout.denominator_name != "person-time" => {
            format!("rate per {} {}", thousands(scale), report.layout.denominator_name)
        }
        (Some(scale), _) => format!("rate per {}", thousands(scale)),
        (None, true) => "proportion".into(),
        (None, false) => "risk".into(),
    };
    let head = vec!["group".into(), "events".into(), report.layout.denominator_name.clone(), what, ci_head.to_string(), "method".into()];
    let rows = group_results
        .iter()
        .map(|e| {
            let c = cells(e, report);
            let g = report.layout.groups.iter().find(|g| Some(&g.label) == e.group.as_ref());
            vec![c.group, g.map(|g| g.count.clone()).unwrap_or_default(), g.map(|g| g.denominator.clone()).unwrap_or_default(), c.estimate, c.ci, c.method]
        })
        .collect();
    ("By group".to_string(), head, rows)
}

/// The comparisons and tests: a row per estimate, with the param, visit, group, test and p
/// columns only where some row has them.
fn estimate_table(report: &Report, others: &[&Estimate], ci_head: String) -> Table {
    let with_param = others.iter().any(|e| e.subset.param.is_some());
    let with_visit = others.iter().any(|e| e.subset.visit.is_some());
    let with_group = others.iter().any(|e| e.group.is_some());
    let with_test = others.iter().any(|e| e.statistic.is_some());
    let with_p = others.iter().any(|e| e.p_value.is_some());
    let mut head: Vec<String> = Vec::new();
    let push_if = |v: &mut Vec<String>, on: bool, x: String| {
        if on {
            v.push(x);
        }
    };
    push_if(&mut head, with_param, "param".into());
    push_if(&mut head, with_visit, "visit".into());
    head.push("measure".into());
    push_if(&mut head, with_group, if report.layout.table == TableKind::Strata { "stratum".into() } else { "group".into() });
    head.extend(["method".to_string(), "estimate".into(), ci_head]);
    push_if(&mut head, with_test, "test".into());
    push_if(&mut head, with_p, "p-value".into());
    let rows = others
        .iter()
        .map(|e| {
            let c = cells(e, report);
            let mut r = Vec::new();
            push_if(&mut r, with_param, e.subset.param.clone().unwrap_or_default());
            push_if(&mut r, with_visit, e.subset.visit.clone().unwrap_or_default());
            r.push(c.measure);
            push_if(&mut r, with_group, c.group);
            r.extend([c.method, c.estimate, c.ci]);
            push_if(&mut r, with_test, c.test);
            push_if(&mut r, with_p, c.p);
            r
        })
        .collect();
    let heading = if report.layout.comparison.is_empty() { "Results".to_string() } else { report.layout.comparison.clone() };
    (heading, head, rows)
}

/// The AE incidence table: one row per SOC / preferred term, subjects n (%) per arm, then per
/// comparison the risk ratio and risk difference with CIs and Fisher's p (and the MH risk ratio
/// when stratified).
fn ae_table(report: &Report) -> Table {
    // The control arm (last in the analysis's arm order) first, as study reports print it.
    let mut arms: Vec<&super::analysis::GroupRow> = report.layout.groups.iter().collect();
    if let Some(control) = arms.pop() {
        arms.insert(0, control);
    }
    let mut keys: Vec<(Option<String>, Option<String>)> = Vec::new();
    let mut comparisons: Vec<String> = Vec::new();
    for e in &report.results {
        let k = (e.subset.soc.clone(), e.subset.term.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
        if e.measure == Measure::RiskRatio {
            if let Some(g) = &e.group {
                if !comparisons.contains(g) {
                    comparisons.push(g.clone());
                }
            }
        }
    }
    let stratified = report.results.iter().any(|e| e.measure == Measure::MhRiskRatio);
    let ci = level_label(report);
    // The table shows the first method of each measure (the JSON and CSV have every one), and
    // names it when it is not the default.
    let method_of = |m: Measure| report.results.iter().find(|e| e.measure == m).map(|e| e.method);
    let named = |m: Measure| match method_of(m) {
        Some(x) if x != m.recommended() => format!(", {x}"),
        _ => String::new(),
    };
    let with_or = method_of(Measure::OddsRatio).is_some();
    let mut head: Vec<String> = vec!["System organ class / preferred term".into()];
    head.extend(arms.iter().map(|g| format!("{} (N = {})", g.label, g.denominator)));
    for c in &comparisons {
        head.push(format!("{c}: RR ({ci}{})", named(Measure::RiskRatio)));
        if with_or {
            head.push(format!("{c}: OR ({ci}{})", named(Measure::OddsRatio)));
        }
        head.push(format!("{c}: RD, pp ({ci}{})", named(Measure::RiskDifference)));
        head.push(format!("{c}: Fisher p"));
        if stratified {
            head.push(format!("{c}: MH RR ({ci})"));
        }
    }
    let columns = AeColumns { arms: &arms, comparisons: &comparisons, with_or, stratified };
    let rows = keys.iter().map(|(soc, term)| ae_row(report, soc, term, &columns)).collect();
    ("Subjects with at least one event, n (%) [events]; RD in percentage points; preferred terms indented under their system organ class".to_string(), head, rows)
}

/// The columns of the AE text table: arms, comparisons, and whether OR and MH RR are shown.
struct AeColumns<'r> {
    arms: &'r [&'r crate::analysis::GroupRow],
    comparisons: &'r [String],
    with_or: bool,
    stratified: bool,
}

/// An estimate with its CI as "x (lower to upper)", `f` formatting each number; "NA" when
/// undefined, empty when absent.
/// "estimate (lower to upper)" of `e` on the scale `k` (100 for percentage points), under the
/// precision policy; "NA" without an estimate, empty without a result.
fn with_ci(e: Option<&Estimate>, k: f64) -> String {
    match e {
        Some(e) => match e.estimate {
            Some(x) => crate::fmt::estimate_ci(precision_scale(e.measure), x * k, e.ci.map(|c| (c.lower * k, c.upper * k))),
            None => "NA".into(),
        },
        None => String::new(),
    }
}

/// One row of the AE text table: the SOC or (indented) term, n (%) [events] per arm, then per
/// comparison RR, (OR), RD, Fisher's p (and MH RR).
fn ae_row(report: &Report, soc: &Option<String>, term: &Option<String>, cols: &AeColumns) -> Vec<String> {
    let of = |m: Measure, g: &str| report.results.iter().find(|e| e.measure == m && e.group.as_deref() == Some(g) && &e.subset.soc == soc && &e.subset.term == term);
    let case = |x: &str| report.layout.term_case.apply(x);
    let label = match (soc, term) {
        (Some(_), Some(t)) => format!("{INDENT}{}", case(t)),
        (Some(s), None) => case(s),
        (None, Some(t)) => case(t),
        (None, None) => String::new(),
    };
    let mut r = vec![label];
    for g in cols.arms {
        r.push(match of(Measure::Proportion, &g.label) {
            Some(e) => format!(
                "{} ({}){}",
                e.count.unwrap_or(0),
                e.estimate.map(|p| format!("{:.1}", p * 100.0)).unwrap_or_default(),
                e.events.map(|n| format!(" [{n}]")).unwrap_or_default()
            ),
            None => String::new(),
        });
    }
    // The precision policy: ratios with two decimals, RD in pp with one (inf for an unbounded
    // limit).
    for c in cols.comparisons {
        r.push(with_ci(of(Measure::RiskRatio, c), 1.0));
        if cols.with_or {
            r.push(with_ci(of(Measure::OddsRatio, c), 1.0));
        }
        r.push(with_ci(of(Measure::RiskDifference, c), 100.0));
        r.push(of(Measure::FisherExact, c).and_then(|e| e.p_value).map(pvalue).unwrap_or_default());
        if cols.stratified {
            r.push(with_ci(of(Measure::MhRiskRatio, c), 1.0));
        }
    }
    r
}

/// The descriptive summaries: one row per group, subset and variable.
fn summary_table(report: &Report) -> Table {
    let rows = &report.summaries;
    let with_param = rows.iter().any(|r| r.subset.param.is_some());
    let with_visit = rows.iter().any(|r| r.subset.visit.is_some());
    let mut head: Vec<String> = Vec::new();
    if with_param {
        head.push("param".into());
    }
    if with_visit {
        head.push("visit".into());
    }
    head.extend(["group", "variable", "n", "mean", "SD", "median", "Q1 to Q3"].map(String::from));
    let f = |x: Option<f64>| x.map(|v| sig(v, 4)).unwrap_or_else(|| "NA".into());
    let body = rows
        .iter()
        .map(|r| {
            let mut v = Vec::new();
            if with_param {
                v.push(r.subset.param.clone().unwrap_or_default());
            }
            if with_visit {
                v.push(r.subset.visit.clone().unwrap_or_default());
            }
            let s = &r.summary;
            let q = match (s.q1, s.q3) {
                (Some(a), Some(b)) => format!("{} to {}", sig(a, 4), sig(b, 4)),
                _ => "NA".into(),
            };
            v.extend([r.group.clone(), r.variable.clone(), s.n.to_string(), f(s.mean), f(s.sd), f(s.median), q]);
            v
        })
        .collect();
    ("Summaries".to_string(), head, body)
}

/// Report notes, then each result's notes prefixed by its measure and method; duplicates once.
fn all_notes(report: &Report) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for n in &report.notes {
        if !n.is_empty() && !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    if report.layout.table == TableKind::AeRows {
        // Hundreds of rows: one line per distinct note, with how many rows it concerns.
        let mut counted: Vec<(String, usize)> = Vec::new();
        for e in &report.results {
            for n in &e.notes {
                let line = format!("{}, {}: {n}", measure_label(e.measure, report.layout.single_sample), e.method);
                match counted.iter_mut().find(|(l, _)| *l == line) {
                    Some((_, c)) => *c += 1,
                    None => counted.push((line, 1)),
                }
            }
        }
        notes.extend(counted.into_iter().map(|(l, c)| if c > 1 { format!("{l} ({c} rows)") } else { l }));
        return notes;
    }
    for e in &report.results {
        for n in &e.notes {
            let mut who = format!("{}, {}", measure_label(e.measure, report.layout.single_sample), e.method);
            if let Some(g) = &e.group {
                who = format!("{who}, {g}");
            }
            // Which part of the file, when a report has several (notes of pk2 and pk5 differ).
            for part in [&e.subset.param, &e.subset.visit].into_iter().flatten() {
                who = format!("{who}, {part}");
            }
            let line = format!("{who}: {n}");
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }
    notes
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The readable text table.
pub fn text(report: &Report) -> String {
    let mut out = format!("trialstat {}: {}\n", report.command, report.layout.title);
    for (heading, head, rows) in tables(report) {
        out.push('\n');
        out.push_str(&heading);
        out.push('\n');
        let ncol = head.len();
        let mut w = vec![0usize; ncol];
        for r in std::iter::once(&head).chain(rows.iter()) {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(width(c));
            }
        }
        let line = |r: &Vec<String>| {
            let mut s = String::from(" ");
            for (i, c) in r.iter().enumerate() {
                s.push(' ');
                s.push_str(c);
                if i + 1 < ncol {
                    s.push_str(&" ".repeat(w[i] - width(c) + 1));
                }
            }
            s.trim_end().to_string() + "\n"
        };
        out.push_str(&line(&head));
        for r in &rows {
            out.push_str(&line(r));
        }
    }
    let notes = all_notes(report);
    if !notes.is_empty() {
        out.push_str("\nNotes\n");
        for n in notes {
            out.push_str("  - ");
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}

/// Text for a Markdown table cell, heading or list item: `&`, `<`, `>` become HTML entities (no
/// HTML can be injected through an arm label or an AE term), `|` becomes `\|` (the cell cannot be
/// split), and `\` becomes `\\` (a label ending in a backslash cannot unescape the next pipe).
pub fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '|' => o.push_str("\\|"),
            '\\' => o.push_str("\\\\"),
            _ => o.push(c),
        }
    }
    o
}

/// Markdown: a heading, pipe tables and a notes list.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("### trialstat {}: {}\n", report.command, md_escape(&report.layout.title));
    for (heading, head, rows) in tables(report) {
        out.push_str(&format!("\n**{}**\n\n", md_escape(&heading)));
        out.push_str(&format!("| {} |\n", head.iter().map(|h| md_escape(h)).collect::<Vec<_>>().join(" | ")));
        out.push_str(&format!("|{}\n", head.iter().map(|_| "---|").collect::<String>()));
        for r in rows {
            out.push_str(&format!("| {} |\n", r.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | ")));
        }
    }
    let notes = all_notes(report);
    if !notes.is_empty() {
        out.push_str("\nNotes:\n\n");
        for n in notes {
            out.push_str(&format!("- {}\n", md_escape(&n)));
        }
    }
    out
}

/// Render a file description (`trialstat describe`).
///
/// JSON: `{"trialstat_version", "command": "describe", "inputs": {"file"}, "layout", "rows",
/// "columns", "roles", "arms": [{"arm", "subjects", "rows", "missing": {column: count}}],
/// "visits", "params"}`. CSV: one row per arm with `arm,subjects,rows` and a `missing_<column>`
/// count for every column that has missing values.
pub fn describe(d: &crate::ingest::table::Description, format: Format) -> String {
    describe_with(d, format, CsvCells::Neutralised)
}

/// [`describe`], choosing how CSV cells are written.
pub fn describe_with(d: &crate::ingest::table::Description, format: Format, cells: CsvCells) -> String {
    match format {
        Format::Json => describe_json(d),
        Format::Csv => describe_csv(d, cells),
        Format::Text | Format::Markdown => describe_text(d, format == Format::Markdown),
        // The description's text, line by line, in a fixed-width font.
        Format::Rtf => rtf::document("trialstat describe", &[], &describe_text(d, false).lines().map(|l| l.replace(' ', "\u{a0}")).collect::<Vec<_>>()),
    }
}

fn describe_json(d: &crate::ingest::table::Description) -> String {
    let roles = &d.detected.roles;
    let arms: Vec<serde_json::Value> = d
        .arms
        .iter()
        .map(|a| {
            let missing: serde_json::Map<String, serde_json::Value> = a.missing.iter().map(|(c, n)| (c.clone(), (*n).into())).collect();
            serde_json::json!({"arm": a.arm, "subjects": a.subjects, "rows": a.rows, "missing": missing})
        })
        .collect();
    let v = serde_json::json!({
        "trialstat_version": crate::analysis::VERSION,
        "command": "describe",
        "inputs": {"file": d.file, "where": d.filter},
        "layout": d.layout,
        "rows": d.rows,
        "columns": d.columns,
        "roles": roles,
        "visit_columns": d.detected.visit_columns,
        "arms": arms,
        "visits": d.visits,
        "params": d.params,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn describe_csv(d: &crate::ingest::table::Description, cells: CsvCells) -> String {
    let mut w = csv_writer();
    let mut head = vec!["arm".to_string(), "subjects".into(), "rows".into()];
    if let Some(a) = d.arms.first() {
        head.extend(a.missing.iter().map(|(c, _)| format!("missing_{c}")));
    }
    write_csv_record(&mut w, &head, cells);
    for a in &d.arms {
        let mut r = vec![a.arm.clone(), a.subjects.to_string(), a.rows.to_string()];
        r.extend(a.missing.iter().map(|(_, n)| n.to_string()));
        write_csv_record(&mut w, &r, cells);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn describe_text(d: &crate::ingest::table::Description, md: bool) -> String {
    let roles = &d.detected.roles;
    let role = |name: &str, v: &Option<String>| v.as_ref().map(|c| format!("{name} {c}"));
    let found: Vec<String> = [
        role("subject", &roles.subject),
        role("arm", &roles.arm),
        role("visit", &roles.visit),
        role("parameter", &roles.param),
        role("value", &roles.value),
        role("site", &roles.site),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut out = if md { format!("### trialstat describe: {}\n\n", md_escape(&d.file)) } else { format!("trialstat describe: {}\n", d.file) };
    out.push_str(&format!("layout: {}; {} rows, {} columns\n", d.layout.name(), thousands(d.rows as f64), d.columns.len()));
    if let Some(w) = &d.filter {
        out.push_str(&format!("rows kept: {w}\n"));
    }
    out.push_str(&format!("columns used: {}\n", if found.is_empty() { "none recognised".into() } else { found.join(", ") }));
    let mut head = vec!["arm".to_string(), "subjects".into(), "rows".into()];
    let with_missing: Vec<&String> = d.arms.first().map(|a| a.missing.iter().map(|(c, _)| c).collect()).unwrap_or_default();
    // Text shows at most 12 columns with missing values; JSON and CSV carry all of them.
    let shown = with_missing.len().min(12);
    head.extend(with_missing.iter().take(shown).map(|c| format!("missing {c}")));
    let rows: Vec<Vec<String>> = d
        .arms
        .iter()
        .map(|a| {
            let mut r = vec![a.arm.clone(), thousands(a.subjects as f64), thousands(a.rows as f64)];
            r.extend(a.missing.iter().take(shown).map(|(_, n)| n.to_string()));
            r
        })
        .collect();
    out.push_str(&table_block("By arm", &head, &rows, md));
    if with_missing.len() > shown {
        out.push_str(&format!("({} more columns with missing values: see --format json or csv)\n", with_missing.len() - shown));
    }
    if !d.visits.is_empty() {
        out.push_str(&format!("\nvisits ({}): {}\n", d.visits.len(), d.visits.join("; ")));
    }
    if !d.params.is_empty() {
        out.push_str(&format!("parameters ({}): {}\n", d.params.len(), d.params.join(", ")));
    }
    out.push_str("\nMissing values are cells that are empty, NA, '.' or NaN.\n");
    out
}

fn table_block(heading: &str, head: &[String], rows: &[Vec<String>], md: bool) -> String {
    let mut out = String::new();
    if md {
        out.push_str(&format!("\n**{}**\n\n| {} |\n|{}\n", md_escape(heading), head.iter().map(|h| md_escape(h)).collect::<Vec<_>>().join(" | "), head.iter().map(|_| "---|").collect::<String>()));
        for r in rows {
            out.push_str(&format!("| {} |\n", r.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | ")));
        }
        return out;
    }
    out.push_str(&format!("\n{heading}\n"));
    let mut w = vec![0usize; head.len()];
    for r in std::iter::once(&head.to_vec()).chain(rows.iter()) {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(width(c));
        }
    }
    for r in std::iter::once(&head.to_vec()).chain(rows.iter()) {
        let mut s = String::from(" ");
        for (i, c) in r.iter().enumerate() {
            s.push(' ');
            s.push_str(c);
            if i + 1 < r.len() {
                s.push_str(&" ".repeat(w[i] - width(c) + 1));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    }
    out
}

/// The text tables of a report (heading, header, rows) with their cells formatted as in the
/// text output, for other renderers (the report's HTML).
pub fn tables_for_html(report: &Report) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    tables(report)
}

/// The notes of a report as the text output lists them.
pub fn notes_for_html(report: &Report) -> Vec<String> {
    all_notes(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_neutralised_numbers_are_not() {
        let n = CsvCells::Neutralised;
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-4.64", "-4.64"),
            ("-1e-5", "-1e-5"),
            ("+3", "+3"),
            ("-Inf", "-Inf"),
            ("acupuncture", "acupuncture"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell, n), want, "{cell:?}");
            assert_eq!(csv_cell(cell, CsvCells::Raw), cell);
        }
    }

    #[test]
    fn markdown_cells_cannot_inject_html_or_split_a_table() {
        assert_eq!(md_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(md_escape("a|b & c"), "a\\|b &amp; c");
        assert_eq!(md_escape("a\\|b"), "a\\\\\\|b");
    }
}
