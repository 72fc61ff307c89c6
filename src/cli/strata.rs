//! `trialstat strata`: its arguments and their conversion to the library request.

use super::*;

/// Stratified 2x2 tables from a CSV with the header
/// stratum,events_treated,n_treated,events_control,n_control: MH RR/OR/RD, CMH, Breslow-Day.
#[derive(Args, Debug)]
pub struct StrataArgs {
    /// The stratum file (comma, semicolon or tab delimited).
    pub file: PathBuf,
    /// Labels of the two groups, TREATED,CONTROL.
    #[arg(long, value_name = "FIRST,SECOND")]
    pub labels: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

impl StrataArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let StrataArgs { file, labels, common } = self;
        let (opts, format) = options(&common, labels.as_deref())?;
        let strata = strata_file::read_strata_file(&file)?;
        Ok(render(&counts::stratified(&strata, &file.display().to_string(), &opts)?, format))
    }
}
