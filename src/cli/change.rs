//! `trialstat change`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::change::{change_file, ChangeOptions, ChangeSpec};

/// Change from baseline by arm: summaries, paired tests, Welch difference, Hedges' g,
/// Mann-Whitney/Hodges-Lehmann and ANCOVA. Wide files: `--baseline pk1 --followup pk5`;
/// long/BDS files: `--paramcd ACTOT --baseline-visit Baseline --followup-visit "Week 24"`.
#[derive(Args, Debug)]
pub struct ChangeArgs {
    /// The CSV file (one row per subject, or per subject and visit).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Baseline column (wide files; or a subject-level column such as BASE in a long file).
    #[arg(long, value_name = "COLUMN")]
    pub baseline: Option<String>,
    /// Follow-up column(s) of a wide file, comma-separated: one analysis each.
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub followup: Vec<String>,
    /// Baseline visit of a long file (a value of the visit column).
    #[arg(long, value_name = "VISIT")]
    pub baseline_visit: Option<String>,
    /// Follow-up visit(s) of a long file, comma-separated (default: every other visit).
    #[arg(long, value_name = "VISIT", value_delimiter = ',')]
    pub followup_visit: Vec<String>,
    /// Combine the follow-up visits per subject into one value (sum or mean).
    #[arg(long, value_enum)]
    pub aggregate: Option<AggregateArg>,
    /// Parameter(s) to analyse in a long file with a parameter column (default: all).
    #[arg(long, value_name = "VALUE", value_delimiter = ',')]
    pub paramcd: Vec<String>,
    /// ANCOVA covariates besides baseline, comma-separated: numeric columns as they are, columns
    /// without a number (or written factor(x)) as indicators; numbers mixed with text are an error.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Do not report percent change (needed when a baseline is 0).
    #[arg(long)]
    pub no_percent: bool,
    #[command(flatten)]
    pub continuous: ContinuousFlags,
}

impl ChangeArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let ChangeArgs { file, columns, arms, baseline, followup, baseline_visit, followup_visit, aggregate, paramcd, covariates, no_percent, continuous } = self;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let spec = ChangeSpec {
            arms: arms.choice(),
            baseline,
            baseline_visit,
            followup,
            followup_visits: followup_visit,
            aggregate: aggregate.map(Into::into),
            params: paramcd,
            options: ChangeOptions { percent: !no_percent, covariates, ..continuous.options()? },
        };
        Ok(render(&change_file(&f, &columns.overrides(), &spec)?, continuous.format))
    }
}
