//! `trialstat endpoint`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::change::{endpoint_file, ChangeSpec};

/// Arms compared on the values at one visit (not on change from baseline): per-arm summaries,
/// mean difference (Welch, pooled), Hedges' g, Hodges-Lehmann with Mann-Whitney:
/// `trialstat endpoint adqs.csv --followup-visit "Week 24" --paramcd ACTOT`.
#[derive(Args, Debug)]
pub struct EndpointArgs {
    /// The CSV file (one row per subject, or per subject and visit).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Column(s) of a wide file, comma-separated: one comparison each.
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub followup: Vec<String>,
    /// Visit(s) of a long file, comma-separated: one comparison each.
    #[arg(long, value_name = "VISIT", value_delimiter = ',')]
    pub followup_visit: Vec<String>,
    /// Parameter(s) of a long file with a parameter column (default: all).
    #[arg(long, value_name = "VALUE", value_delimiter = ',')]
    pub paramcd: Vec<String>,
    #[command(flatten)]
    pub continuous: ContinuousFlags,
}

impl EndpointArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let EndpointArgs { file, columns, arms, followup, followup_visit, paramcd, continuous } = self;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let spec = ChangeSpec {
            arms: arms.choice(),
            followup,
            followup_visits: followup_visit,
            params: paramcd,
            options: continuous.options()?,
            ..Default::default()
        };
        Ok(render(&endpoint_file(&f, &columns.overrides(), &spec)?, continuous.format))
    }
}
