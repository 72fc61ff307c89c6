//! `trialstat prop`: its arguments and their conversion to the library request.

use super::*;

/// One proportion with its CI: `trialstat prop 7/1000`.
#[derive(Args, Debug)]
pub struct PropArgs {
    /// EVENTS/N or PERCENT%/N.
    #[arg(allow_hyphen_values = true)]
    pub count: String,
    /// Label of the group.
    #[arg(long, default_value = "group")]
    pub label: String,
    #[command(flatten)]
    pub common: Common,
}

impl PropArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let PropArgs { count, label, common } = self;
        let (opts, format) = options(&common, None)?;
        let c = parse::parse_count("count", &count)?;
        let opts = counts::CountOptions { input_notes: c.note.into_iter().collect(), labels: [label.clone(), String::new()], ..opts };
        Ok(render(&counts::single_proportion(&c.count, &label, &opts)?, format))
    }
}
