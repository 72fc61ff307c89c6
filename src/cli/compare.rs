//! `trialstat compare`: its arguments and their conversion to the library request.

use super::*;

/// Two proportions: RR, OR, RD, NNT with CIs, Fisher's exact and chi-squared tests:
/// `trialstat compare 7/1000 124/1000`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// First (treated/exposed) group: EVENTS/N or PERCENT%/N.
    #[arg(allow_hyphen_values = true)]
    pub treated: String,
    /// Second (control) group: EVENTS/N or PERCENT%/N.
    #[arg(allow_hyphen_values = true)]
    pub control: String,
    /// Labels of the two groups, FIRST,SECOND.
    #[arg(long, value_name = "FIRST,SECOND")]
    pub labels: Option<String>,
    /// Whether the events are harmful or beneficial (decides NNTB vs NNTH).
    #[arg(long, value_enum, default_value_t = EventsArg::Harmful)]
    pub events: EventsArg,
    #[command(flatten)]
    pub common: Common,
}

impl CompareArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let CompareArgs { treated, control, labels, events, common } = self;
        let (mut opts, format) = options(&common, labels.as_deref())?;
        let t = parse::parse_count("first count (treated)", &treated)?;
        let c = parse::parse_count("second count (control)", &control)?;
        opts.input_notes = [t.note, c.note].into_iter().flatten().collect();
        opts.events = events.into();
        let table = trialstat::data::TwoByTwo::new(t.count, c.count);
        Ok(render(&counts::compare(&table, &opts)?, format))
    }
}
