//! `trialstat bootstrap`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::bootstrap::{bootstrap_file, BootStatistic, BootstrapSpec};
use trialstat::stats::bootstrap::BootstrapOptions;

/// Bootstrap percentile and BCa CIs of a two-arm comparison of one value per row, resampling
/// within arms: `trialstat bootstrap w3.csv --value value --control control --statistic hedges-g`.
#[derive(Args, Debug)]
pub struct BootstrapArgs {
    /// The CSV file (one value per row; pick one visit of a long file with --where).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Statistic(s), comma-separated: mean-difference, hedges-g, median-difference,
    /// ratio-of-means (treatment vs control).
    #[arg(long, value_name = "NAME", value_delimiter = ',', default_value = "mean-difference,hedges-g")]
    pub statistic: Vec<String>,
    /// Number of resamples (9999: (R + 1)·α is whole at the usual levels).
    #[arg(long, default_value_t = 9999, value_name = "R")]
    pub resamples: usize,
    /// Seed of the random streams (resample b uses stream b): same seed, same numbers.
    #[arg(long, default_value_t = 20240601, value_name = "N")]
    pub seed: u64,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl BootstrapArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let BootstrapArgs { file, columns, arms, statistic, resamples, seed, level, format } = self;
        let level = parse_level(&level)?;
        let statistics = statistic.iter().map(|s| s.parse::<BootStatistic>()).collect::<Result<Vec<_>, _>>()?;
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let spec = BootstrapSpec { arms: arms.choice(), value: columns.value.clone(), statistics, options: BootstrapOptions { resamples, seed, level, threads: 0 } };
        Ok(render(&bootstrap_file(&f, &columns.overrides(), &spec)?, format))
    }
}
