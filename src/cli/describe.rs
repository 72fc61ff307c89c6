//! `trialstat describe`: its arguments and their conversion to the library request.

use super::*;

/// Describe a trial CSV: detected layout (ADaM ADSL/BDS/ADAE, long, wide), arms with
/// subjects and rows, visits, parameters and missing values by arm.
#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// The CSV file (comma, semicolon or tab; UTF-8 with or without BOM).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl DescribeArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let DescribeArgs { file, columns, format } = self;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let d = trialstat::ingest::table::describe(&f, &columns.overrides())?;
        Ok(trialstat::render::describe_with(&d, format, cells))
    }
}
