//! `trialstat survival`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::survival::{parse_conf_type, parse_ties, survival_file, Status, SurvivalSpec};
use trialstat::data::TimeUnit;

/// Time to event by arm: Kaplan–Meier medians and quartiles with CIs, survival at landmark times,
/// RMST, the log-rank test, Cox hazard ratios (with the PH test), RMST differences and ratios,
/// hazard ratios by subgroup: `trialstat survival adtte.csv --time-unit months --at 6,12`.
#[derive(Args, Debug)]
pub struct SurvivalArgs {
    /// The CSV file: one row per subject (ADaM ADTTE: AVAL, CNSR, one PARAMCD).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Time column (default AVAL).
    #[arg(long, value_name = "COLUMN")]
    pub time: Option<String>,
    /// Event column: 1 = event, 0 = censored.
    #[arg(long, value_name = "COLUMN", conflicts_with = "censor")]
    pub event: Option<String>,
    /// Censoring column: 1 = censored, 0 = event (default CNSR, as ADaM codes it).
    #[arg(long, value_name = "COLUMN")]
    pub censor: Option<String>,
    /// The parameter (PARAMCD) to analyse when the file holds several.
    #[arg(long, value_name = "CODE")]
    pub paramcd: Option<String>,
    /// Unit of the time column: days, weeks, months, years (default: the AVALU column, else days
    /// for ADaM AVAL, else as --time-unit).
    #[arg(long, value_name = "UNIT")]
    pub data_unit: Option<String>,
    /// Unit to report times in (1 month = 30.4375 days, 1 year = 365.25 days); landmarks and
    /// --tau are in this unit.
    #[arg(long, value_name = "UNIT")]
    pub time_unit: Option<String>,
    /// Pointwise CI of the Kaplan–Meier curve: log (R's default), log-log (SAS's), plain.
    #[arg(long, default_value = "log", value_name = "TYPE")]
    pub conf_type: String,
    /// Landmark times for survival estimates, comma-separated (e.g. 6,12,24).
    #[arg(long = "at", value_name = "TIMES", value_delimiter = ',')]
    pub landmarks: Vec<String>,
    /// RMST horizon τ (default: the smallest of the arms' last follow-up times).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub tau: Option<String>,
    /// Ties in the Cox model: efron (R's default) or breslow (SAS's, Stata's).
    #[arg(long, default_value = "efron", value_name = "METHOD")]
    pub ties: String,
    /// ρ of the G-rho test: 0 = log-rank, 1 = Peto–Peto.
    #[arg(long, default_value = "0", value_name = "RHO", allow_hyphen_values = true)]
    pub rho: String,
    /// Stratification columns (log-rank and Cox), comma-separated.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub strata: Vec<String>,
    /// Cox model covariates, comma-separated (numeric columns as numbers, others as factors).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Subgroup columns: hazard ratios within each level and the interaction test.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub subgroups: Vec<String>,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A finite number from a flag.
pub(super) fn parse_time(flag: &str, s: &str) -> Result<f64, Error> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(Error::invalid(flag, format!("'{s}'"), "a time ≥ 0, e.g. 12")),
    }
}

impl SurvivalArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let a = self;
        let f = open_filtered(&a.file, a.columns.filter.as_deref())?;
        let mut spec = SurvivalSpec::new(a.arms.choice());
        spec.time = a.time;
        spec.status = match (a.event, a.censor) {
            (Some(e), _) => Some(Status::Event(e)),
            (None, Some(c)) => Some(Status::Censor(c)),
            _ => None,
        };
        spec.paramcd = a.paramcd;
        spec.data_unit = a.data_unit.as_deref().map(|u| TimeUnit::parse("--data-unit", u)).transpose()?;
        spec.time_unit = a.time_unit.as_deref().map(|u| TimeUnit::parse("--time-unit", u)).transpose()?;
        spec.conf_type = parse_conf_type("--conf-type", &a.conf_type)?;
        spec.level = parse_level(&a.level)?;
        spec.landmarks = a.landmarks.iter().map(|t| parse_time("--at", t)).collect::<Result<_, _>>()?;
        spec.tau = a.tau.as_deref().map(|t| parse_time("--tau", t)).transpose()?;
        spec.ties = parse_ties("--ties", &a.ties)?;
        spec.rho = match a.rho.trim().parse::<f64>() {
            Ok(r) if r.is_finite() && r >= 0.0 => r,
            _ => return Err(Error::invalid("--rho", format!("'{}'", a.rho), "a number ≥ 0 (0 = log-rank, 1 = Peto–Peto)")),
        };
        spec.strata = a.strata;
        spec.covariates = a.covariates;
        spec.subgroups = a.subgroups;
        Ok(render_with(&survival_file(&f, &a.columns.overrides(), &spec)?, a.format, cells))
    }
}
