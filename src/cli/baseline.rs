//! `trialstat baseline`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::baseline::{baseline_file, BaselineRequest, BaselineVariable, VarKind};

/// Baseline characteristics by arm and overall ("Table 1"): continuous variables as mean (SD)
/// and median [Q1, Q3], categorical ones as n (%):
/// `trialstat baseline adsl.csv --vars AGE,SEX,RACE,BMIBL --label AGE="Age" --unit AGE=years`.
#[derive(Args, Debug)]
pub struct BaselineArgs {
    /// The CSV file: one row per subject (ADSL), or a trial file (rows reduced to one per subject).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// The variables (columns), comma-separated, in the order to print them.
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',', required = true)]
    pub vars: Vec<String>,
    /// Variables to summarise as n (%) per value (numeric codes such as sex 0/1 must be named here
    /// or in --continuous).
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Variables to summarise as mean (SD) and median [Q1, Q3].
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub continuous: Vec<String>,
    /// A variable's printed label, COLUMN=LABEL (repeatable).
    #[arg(long = "label", value_name = "COLUMN=LABEL")]
    pub labels: Vec<String>,
    /// A continuous variable's unit, COLUMN=UNIT (repeatable).
    #[arg(long = "unit", value_name = "COLUMN=UNIT")]
    pub units: Vec<String>,
    /// Labels of a categorical variable's values, in the order to print them:
    /// COLUMN=VALUE:LABEL,VALUE:LABEL (repeatable), e.g. sex=1:Female,0:Male.
    #[arg(long = "levels", value_name = "COLUMN=VALUE:LABEL,...")]
    pub levels: Vec<String>,
    /// Printed arm labels, VALUE=LABEL (repeatable), e.g. 0="Usual care".
    #[arg(long = "arm-label", value_name = "VALUE=LABEL")]
    pub arm_labels: Vec<String>,
    /// No "Overall" column.
    #[arg(long)]
    pub no_overall: bool,
    /// Hyndman–Fan type of the quartiles (1–9; R's default 7).
    #[arg(long, default_value_t = 7, value_name = "TYPE")]
    pub quantile_type: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `KEY=VALUE` of `flag`.
fn pair(flag: &str, s: &str) -> Result<(String, String), Error> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(Error::invalid(flag, format!("'{s}'"), "COLUMN=TEXT")),
    }
}

impl BaselineArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let a = self;
        let f = open_filtered(&a.file, a.columns.filter.as_deref())?;
        let labels: Vec<(String, String)> = a.labels.iter().map(|s| pair("--label", s)).collect::<Result<_, _>>()?;
        let units: Vec<(String, String)> = a.units.iter().map(|s| pair("--unit", s)).collect::<Result<_, _>>()?;
        let levels: Vec<(String, Vec<(String, String)>)> = a
            .levels
            .iter()
            .map(|s| {
                let (col, list) = pair("--levels", s)?;
                let items = list
                    .split(',')
                    .map(|it| match it.split_once(':') {
                        Some((v, l)) if !v.trim().is_empty() => Ok((v.trim().to_string(), l.trim().to_string())),
                        _ => Err(Error::invalid("--levels", format!("'{it}'"), "VALUE:LABEL, e.g. 1:Female")),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((col, items))
            })
            .collect::<Result<_, Error>>()?;
        for (flag, named) in [("--label", labels.iter().map(|x| &x.0).collect::<Vec<_>>()), ("--unit", units.iter().map(|x| &x.0).collect()), ("--levels", levels.iter().map(|x| &x.0).collect()), ("--categorical", a.categorical.iter().collect()), ("--continuous", a.continuous.iter().collect())] {
            if let Some(c) = named.iter().find(|c| !a.vars.contains(c)) {
                return Err(Error::invalid(flag, format!("'{c}'"), format!("one of --vars: {}", a.vars.join(", "))));
            }
        }
        let variables = a
            .vars
            .iter()
            .map(|v| BaselineVariable {
                column: v.clone(),
                label: labels.iter().find(|(c, _)| c == v).map(|(_, l)| l.clone()),
                kind: if a.categorical.contains(v) {
                    Some(VarKind::Categorical)
                } else if a.continuous.contains(v) {
                    Some(VarKind::Continuous)
                } else {
                    None
                },
                levels: levels.iter().find(|(c, _)| c == v).map(|(_, l)| l.clone()).unwrap_or_default(),
                unit: units.iter().find(|(c, _)| c == v).map(|(_, u)| u.clone()),
            })
            .collect();
        let req = BaselineRequest {
            arms: a.arms.choice(),
            arm_labels: a.arm_labels.iter().map(|s| pair("--arm-label", s)).collect::<Result<_, _>>()?,
            variables,
            overall: !a.no_overall,
            quantile_type: a.quantile_type,
        };
        Ok(render_with(&baseline_file(&f, &a.columns.overrides(), &req)?, a.format, cells))
    }
}
