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
    /// Unit of the person-time column, for labels (e.g. days, years).
    #[arg(long, value_name = "UNIT")]
    pub time_unit: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

impl IncidenceArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let IncidenceArgs { file, columns, arms, event, censor, time, time_unit, common } = self;
        let (opts, format) = options(&common, None)?;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let events = match (event, censor) {
            (Some(e), None) => EventSource::Count(e),
            (None, Some(c)) => EventSource::Censor(c),
            _ => return Err(Error::invalid("events", "not given", "--event COLUMN or --censor COLUMN")),
        };
        let spec = IncidenceSpec { arms: arms.choice(), events, time, time_unit };
        Ok(render(&incidence_file(&f, &columns.overrides(), &spec, &opts)?, format))
    }
}
