//! `trialstat incidence`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::incidence::{incidence_file, EventSource, IncidenceSpec};

/// Incidence rates per person-time by arm or exposure group (trial or cohort file), with rate
/// ratios: `trialstat incidence adtte.csv --censor CNSR --time AVAL --time-unit days`.
#[derive(Args, Debug)]
pub struct IncidenceArgs {
    /// The CSV file (rows are summed per group: one row per subject or per subject-period).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Event count or yes/no flag column.
    #[arg(long, value_name = "COLUMN", required_unless_present = "censor", conflicts_with = "censor")]
    pub event: Option<String>,
    /// Censoring flag column instead (0 = event, 1 = censored; ADaM CNSR).
    #[arg(long, value_name = "COLUMN")]
    pub censor: Option<String>,
    /// Person-time column.
    #[arg(long, value_name = "COLUMN")]
    pub time: String,
    /// Unit to report person-time in: days, weeks, months, years (1 month = 30.4375 days,
    /// 1 year = 365.25 days): `--per 100 --time-unit years` gives events per 100 person-years.
    #[arg(long, value_name = "UNIT")]
    pub time_unit: Option<String>,
    /// Unit of the person-time column (default: an AVALU column; days for ADaM AVAL with CNSR;
    /// else the same as --time-unit).
    #[arg(long, value_name = "UNIT")]
    pub data_unit: Option<String>,
    /// Rates per this much person-time (default: a power of ten suiting the rates).
    #[arg(long, value_name = "N")]
    pub per: Option<f64>,
    #[command(flatten)]
    pub common: Common,
}

impl IncidenceArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let IncidenceArgs { file, columns, arms, event, censor, time, time_unit, data_unit, per, common } = self;
        let (opts, format) = options(&common, None)?;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let events = match (event, censor) {
            (Some(e), None) => EventSource::Count(e),
            (None, Some(c)) => EventSource::Censor(c),
            _ => return Err(Error::invalid("events", "not given", "--event COLUMN or --censor COLUMN")),
        };
        use trialstat::data::TimeUnit;
        let spec = IncidenceSpec {
            arms: arms.choice(),
            events,
            time,
            time_unit: time_unit.as_deref().map(|u| TimeUnit::parse("--time-unit", u)).transpose()?,
            data_unit: data_unit.as_deref().map(|u| TimeUnit::parse("--data-unit", u)).transpose()?,
            per,
        };
        Ok(render(&incidence_file(&f, &columns.overrides(), &spec, &opts)?, format))
    }
}
