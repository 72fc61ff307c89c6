//! `trialstat smd`: its arguments and their conversion to the library request.

use super::*;

/// Standardised mean differences from summaries:
/// `trialstat smd --treated 16.2,13.7,161 --control 22.3,17.0,140`.
#[derive(Args, Debug)]
pub struct SmdArgs {
    /// First (treated) group: MEAN,SD,N.
    #[arg(long, allow_hyphen_values = true, value_name = "MEAN,SD,N")]
    pub treated: String,
    /// Second (control) group: MEAN,SD,N.
    #[arg(long, allow_hyphen_values = true, value_name = "MEAN,SD,N")]
    pub control: String,
    /// Labels of the two groups, FIRST,SECOND.
    #[arg(long, value_name = "FIRST,SECOND")]
    pub labels: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

impl SmdArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let SmdArgs { treated, control, labels, common } = self;
        let (opts, format) = options(&common, labels.as_deref())?;
        let t = parse::parse_summary("--treated", &treated)?;
        let c = parse::parse_summary("--control", &control)?;
        Ok(render(&counts::standardized(&t, &c, &opts)?, format))
    }
}
