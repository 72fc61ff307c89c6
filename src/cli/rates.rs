//! `trialstat rates`: its arguments and their conversion to the library request.

use super::*;

/// Two incidence rates: rate ratio (exact conditional, Wald) and rate difference:
/// `trialstat rates 12/100000 4/100000`.
#[derive(Args, Debug)]
pub struct RatesArgs {
    /// First (treated/exposed) group: EVENTS/PERSON-TIME.
    #[arg(allow_hyphen_values = true)]
    pub treated: String,
    /// Second (control) group: EVENTS/PERSON-TIME.
    #[arg(allow_hyphen_values = true)]
    pub control: String,
    /// Labels of the two groups, FIRST,SECOND.
    #[arg(long, value_name = "FIRST,SECOND")]
    pub labels: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

impl RatesArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let RatesArgs { treated, control, labels, common } = self;
        let (opts, format) = options(&common, labels.as_deref())?;
        let t = parse::parse_person_time("first rate (treated)", &treated)?;
        let c = parse::parse_person_time("second rate (control)", &control)?;
        Ok(render(&counts::compare_rates(&t, &c, &opts)?, format))
    }
}
