//! `trialstat responders`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::responders::{responders_file, MissingPolicy, ResponderRule, ResponderSpec};
use trialstat::ingest::subjects::{Aggregate, ValueSource};

/// Responder rates by arm, compared as `compare` does (each arm vs the control):
/// `trialstat responders FILE --flag response`, `--baseline pk1 --followup pk5 --reduction 35%`,
/// or on a long file `--value y --baseline base --followup-visit 1,2,3,4 --aggregate sum --reduction 50%`.
#[derive(Args, Debug)]
pub struct RespondersArgs {
    /// The CSV file (one row per subject, or per subject and visit).
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnFlags,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Responder flag column (1/Y/YES/TRUE = responder).
    #[arg(long, value_name = "COLUMN", conflicts_with_all = ["baseline", "followup", "reduction", "increase", "baseline_visit", "followup_visit"])]
    pub flag: Option<String>,
    /// The flag value that marks a responder (e.g. 1_yes); other values are non-responders.
    #[arg(long, value_name = "VALUE", requires = "flag")]
    pub flag_value: Option<String>,
    /// Baseline column (wide files; or a subject-level column such as BASE in a long file).
    #[arg(long, value_name = "COLUMN")]
    pub baseline: Option<String>,
    /// Follow-up column (wide files).
    #[arg(long, value_name = "COLUMN")]
    pub followup: Option<String>,
    /// Baseline visit of a long file.
    #[arg(long, value_name = "VISIT", conflicts_with = "baseline")]
    pub baseline_visit: Option<String>,
    /// Follow-up visit(s) of a long file, comma-separated; several need --aggregate.
    #[arg(long, value_name = "VISIT", value_delimiter = ',', conflicts_with = "followup")]
    pub followup_visit: Vec<String>,
    /// Combine several follow-up visits per subject (sum or mean).
    #[arg(long, value_enum)]
    pub aggregate: Option<AggregateArg>,
    /// Parameter of a long file with a parameter column (e.g. ACTOT).
    #[arg(long, value_name = "VALUE")]
    pub paramcd: Option<String>,
    /// Responder: follow-up at least this far below baseline: 40% (relative to |baseline|)
    /// or 4 (absolute, in the outcome's units).
    #[arg(long, value_name = "THRESHOLD", conflicts_with = "increase", allow_hyphen_values = true)]
    pub reduction: Option<String>,
    /// Responder: follow-up at least this far above baseline: 50% or an absolute amount.
    #[arg(long, value_name = "THRESHOLD", allow_hyphen_values = true)]
    pub increase: Option<String>,
    /// Subjects without a responder status: left out, or counted as non-responders.
    #[arg(long, value_enum, default_value_t = MissingArg::CompleteCase)]
    pub missing: MissingArg,
    /// Whether a response is a benefit (default) or a harm (decides NNTB vs NNTH).
    #[arg(long, value_enum, default_value_t = EventsArg::Beneficial)]
    pub events: EventsArg,
    /// Display labels of the two arms, TREATMENT,CONTROL (default: the arm values).
    #[arg(long, value_name = "FIRST,SECOND")]
    pub labels: Option<String>,
    /// Stratify by this column (e.g. site): adds Mantel-Haenszel RR/OR/RD, CMH, Breslow-Day.
    #[arg(long, value_name = "COLUMN")]
    pub strata: Option<String>,
    /// Summarise this column (wide) or parameter (long) by responder status within each arm.
    #[arg(long, value_name = "COLUMN|PARAM")]
    pub by_responder: Option<String>,
    /// Quartile type of those summaries, 1-9 (R's quantile types; 7 is R's default).
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=9))]
    pub quantile_type: u8,
    #[command(flatten)]
    pub common: Common,
}

impl RespondersArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let RespondersArgs { file, columns, arms, flag, flag_value, baseline, followup, baseline_visit, followup_visit, aggregate, paramcd, reduction, increase, missing, events, labels, strata, by_responder, quantile_type, common, } = self;
        let (mut opts, format) = options(&common, labels.as_deref())?;
        opts.events = events.into();
        let f = open_filtered(&file, columns.filter.as_deref())?;
        let rule = match (&flag, &reduction, &increase) {
            (Some(c), _, _) => ResponderRule::Flag { column: c.clone(), value: flag_value },
            (None, Some(r), None) => ResponderRule::Change { threshold: trialstat::analysis::responders::parse_threshold("--reduction", r, true)?, increase: false },
            (None, None, Some(r)) => ResponderRule::Change { threshold: trialstat::analysis::responders::parse_threshold("--increase", r, false)?, increase: true },
            _ => return Err(Error::invalid("responder definition", "none", "--flag COLUMN, or a baseline and follow-up with --reduction or --increase THRESHOLD")),
        };
        let (bsrc, fsrc) = if flag.is_some() {
            (None, None)
        } else {
            let b = match (baseline_visit, baseline) {
                (Some(v), _) => ValueSource::Visits { visits: vec![v], aggregate: Aggregate::Mean },
                (None, Some(c)) => ValueSource::Column(c),
                (None, None) => return Err(Error::invalid("baseline", "not given", "--baseline COLUMN or --baseline-visit VISIT")),
            };
            let fu = match (followup_visit.is_empty(), followup) {
                (false, _) => {
                    if followup_visit.len() > 1 && aggregate.is_none() {
                        return Err(Error::invalid("--followup-visit", followup_visit.join(","), "one visit, or several with --aggregate sum|mean"));
                    }
                    ValueSource::Visits { visits: followup_visit, aggregate: aggregate.map(Into::into).unwrap_or(Aggregate::Mean) }
                }
                (true, Some(c)) => ValueSource::Column(c),
                (true, None) => return Err(Error::invalid("follow-up", "not given", "--followup COLUMN or --followup-visit VISIT")),
            };
            (Some(b), Some(fu))
        };
        if let Some(ValueSource::Column(c)) = &bsrc {
            trialstat::ingest::layout::require_column(&f.name, "--baseline", c, &f.columns)?;
        }
        if let Some(ValueSource::Column(c)) = &fsrc {
            trialstat::ingest::layout::require_column(&f.name, "--followup", c, &f.columns)?;
        }
        let spec = ResponderSpec {
            arms: arms.choice(),
            rule,
            baseline: bsrc,
            followup: fsrc,
            param: paramcd,
            missing: match missing {
                MissingArg::CompleteCase => MissingPolicy::CompleteCase,
                MissingArg::Nonresponder => MissingPolicy::NonResponder,
            },
            strata,
            by_responder,
            quantile_type,
        };
        Ok(render(&responders_file(&f, &columns.overrides(), &spec, &opts)?, format))
    }
}
