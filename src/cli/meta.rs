//! `trialstat meta`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::meta::{meta_file, parse_tau2, InputKind, MetaMeasure, MetaRequest, PiMethod};
use trialstat::stats::meta::MetaTest;

/// Meta-analysis of a study-level file (one row per study, or per study and arm with --study and
/// --arm): common and random effects, heterogeneity, subgroups, meta-regression, small-study
/// effects and sensitivity analyses: `trialstat meta dat_lee2004.csv --measure RR`.
#[derive(Args, Debug)]
pub struct MetaArgs {
    /// The CSV file of studies.
    pub file: PathBuf,
    /// Effect measure: RR, OR, RD, PETO-OR (events); MD, SMD (Hedges' g), ROM (means); HR or
    /// generic (estimates). Default: RR for events, MD for means, generic for estimates.
    #[arg(long, value_name = "MEASURE")]
    pub measure: Option<String>,
    /// What the file holds when the header does not say: counts, cells, means, estimate-se,
    /// estimate-variance, estimate-ci.
    #[arg(long, value_name = "KIND")]
    pub input: Option<String>,
    /// Name a column for a role, ROLE=COLUMN (repeatable): events1, n1, events2, n2,
    /// nonevents1, nonevents2, mean1, sd1, mean2, sd2, estimate, se, variance, lower, upper;
    /// long files: events, n, mean, sd.
    #[arg(long, value_name = "ROLE=COLUMN")]
    pub map: Vec<String>,
    /// Study label column (default: study, author, trial, source, name or id); in a long file
    /// the column naming each row's study.
    #[arg(long, value_name = "COLUMN")]
    pub study: Option<String>,
    /// Long files (one row per study and arm): the arm column.
    #[arg(long, value_name = "COLUMN")]
    pub arm: Option<String>,
    /// Long files: the experimental arm.
    #[arg(long, value_name = "ARM", requires = "arm")]
    pub treatment: Option<String>,
    /// Long files: the control arm (default: the arm labelled placebo, control, sham, ...).
    #[arg(long, value_name = "ARM", requires = "arm")]
    pub control: Option<String>,
    /// Labels of the two arms, EXPERIMENTAL,CONTROL (for the table and the favours labels).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Subgroup column: estimates within each level and the test for subgroup differences.
    #[arg(long, value_name = "COLUMN")]
    pub subgroup: Option<String>,
    /// Numeric moderator column: meta-regression (slope, CI, residual τ², R²).
    #[arg(long, value_name = "COLUMN")]
    pub moderator: Option<String>,
    /// τ² estimator: REML (default), DL, PM, SJ, ML, HE, EB, HS.
    #[arg(long, default_value = "REML", value_name = "METHOD")]
    pub method: String,
    /// Hartung–Knapp–Sidik–Jonkman CIs and tests for the random-effects estimate.
    #[arg(long)]
    pub hksj: bool,
    /// HKSJ with the ad hoc correction (never narrower than the normal-approximation CI).
    #[arg(long, conflicts_with = "hksj")]
    pub hksj_adhoc: bool,
    /// Prediction interval: t (t on k − 2 df; Higgins et al. 2009, Cochrane) or metafor (z, as
    /// metafor's predict; t on k − 1 df with HKSJ).
    #[arg(long, default_value = "t", value_name = "KIND")]
    pub pi: String,
    /// Level of CIs given as input (estimate-ci files), e.g. 0.90.
    #[arg(long, value_name = "LEVEL")]
    pub ci_level: Option<String>,
    /// Keep studies with no events (or only events) in both arms, with ½ added to each cell.
    #[arg(long)]
    pub keep_double_zero: bool,
    /// Leave-one-out analysis.
    #[arg(long)]
    pub leave_one_out: bool,
    /// Cumulative meta-analysis ordered by COLUMN (e.g. year; ties in file order); `file` for
    /// file order.
    #[arg(long, value_name = "COLUMN")]
    pub cumulative: Option<String>,
    /// Egger's regression test for small-study effects.
    #[arg(long)]
    pub egger: bool,
    /// Trim-and-fill estimate (L0).
    #[arg(long)]
    pub trim_fill: bool,
    /// The outcome is beneficial (e.g. response): the favours labels swap sides.
    #[arg(long)]
    pub beneficial: bool,
    /// Most Fisher-scoring iterations for REML, ML and EB (default 10000); running out is
    /// exit status 4.
    #[arg(long, value_name = "N")]
    pub max_iter: Option<usize>,
    /// Keep only the rows matching this condition (see `trialstat describe --help`).
    #[arg(long = "where", value_name = "CONDITION")]
    pub filter: Option<String>,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl MetaArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let a = self;
        let f = open_filtered(&a.file, a.filter.as_deref())?;
        let req = MetaRequest {
            measure: a.measure.as_deref().map(|m| MetaMeasure::parse("--measure", m)).transpose()?,
            input: a.input.as_deref().map(|k| InputKind::parse("--input", k)).transpose()?,
            map: a.map.iter().map(|m| parse_map(m)).collect::<Result<_, _>>()?,
            study: a.study,
            arm: a.arm,
            treatment: a.treatment,
            control: a.control,
            labels: match a.labels.as_slice() {
                [] => None,
                [x, y] => Some([x.clone(), y.clone()]),
                _ => return Err(Error::invalid("--labels", a.labels.join(","), "two labels, EXPERIMENTAL,CONTROL")),
            },
            subgroup: a.subgroup,
            moderator: a.moderator,
            method: parse_tau2("--method", &a.method)?,
            test: if a.hksj { MetaTest::Knha } else if a.hksj_adhoc { MetaTest::Adhoc } else { MetaTest::Z },
            pi: parse_pi("--pi", &a.pi)?,
            level: parse_level(&a.level)?,
            ci_level: a.ci_level.as_deref().map(parse_level).transpose()?,
            keep_double_zero: a.keep_double_zero,
            leave_one_out: a.leave_one_out,
            cumulative: a.cumulative.map(|c| if c == "file" { String::new() } else { c }),
            egger: a.egger,
            trim_fill: a.trim_fill,
            beneficial: a.beneficial,
            max_iter: a.max_iter,
        };
        Ok(render_with(&meta_file(&f, &req)?, a.format, cells))
    }
}

/// `ROLE=COLUMN`.
fn parse_map(s: &str) -> Result<(String, String), Error> {
    match s.split_once('=') {
        Some((r, c)) if !r.trim().is_empty() && !c.trim().is_empty() => Ok((r.trim().to_ascii_lowercase(), c.trim().to_string())),
        _ => Err(Error::invalid("--map", format!("'{s}'"), "ROLE=COLUMN, e.g. events1=deaths_t")),
    }
}

pub(super) fn parse_pi(key: &str, s: &str) -> Result<PiMethod, Error> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" => Ok(PiMethod::T),
        "metafor" | "z" => Ok(PiMethod::Metafor),
        _ => Err(Error::invalid(key, format!("'{s}'"), "t (t on k − 2 df) or metafor (z; t on k − 1 df with HKSJ)")),
    }
}
