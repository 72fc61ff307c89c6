//! Flags and conversions shared by several commands.

use super::*;

#[derive(Args, Debug, Clone)]
pub(super) struct Common {
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub(super) level: String,
    /// CI method to report (repeatable); `all` reports every method. Default: each measure's
    /// recommended method.
    #[arg(long = "ci-method", value_name = "NAME")]
    pub(super) ci_method: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(super) format: Format,
}

/// Options of the continuous analyses (`change`, `endpoint`): summaries, rank tests, level, format.
#[derive(Args, Debug)]
pub(super) struct ContinuousFlags {
    /// Quartile type of the summaries, 1-9 (R's quantile types; 7 is R's default).
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=9))]
    pub(super) quantile_type: u8,
    /// Rank tests: auto (R's rule: exact below 50 without ties, else normal), exact, normal
    /// (continuity-corrected) or normal-uncorrected.
    #[arg(long, default_value = "auto", value_name = "METHOD")]
    pub(super) rank_method: String,
    /// CI method of the mean difference (welch, pooled) and of the standardized effects
    /// (noncentral-t, normal-approx); repeatable, or `all`. Default: welch and noncentral-t
    /// (endpoint: welch and pooled).
    #[arg(long = "ci-method", value_name = "NAME")]
    pub(super) ci_method: Vec<String>,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub(super) level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(super) format: Format,
}

impl ContinuousFlags {
    /// The options of a `change`/`endpoint` request (percent change and covariates aside).
    pub(super) fn options(&self) -> Result<trialstat::analysis::change::ChangeOptions, Error> {
        Ok(trialstat::analysis::change::ChangeOptions {
            level: parse_level(&self.level)?,
            quantile_type: self.quantile_type,
            rank_method: trialstat::analysis::change::parse_rank_method("--rank-method", &self.rank_method)?,
            methods: parse_methods(&self.ci_method)?,
            ..Default::default()
        })
    }
}

/// Flags naming the columns of a trial file; each overrides the recognised column.
#[derive(Args, Debug, Clone, Default)]
pub(super) struct ColumnFlags {
    /// Subject identifier column.
    #[arg(long, value_name = "COLUMN")]
    pub(super) subject: Option<String>,
    /// Arm (treatment or exposure group) column.
    #[arg(long, value_name = "COLUMN")]
    pub(super) arm: Option<String>,
    /// Visit column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    pub(super) visit: Option<String>,
    /// Parameter column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    pub(super) param: Option<String>,
    /// Value column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    pub(super) value: Option<String>,
    /// Site column.
    #[arg(long, value_name = "COLUMN")]
    pub(super) site: Option<String>,
    /// Keep only the rows matching CONDITION, e.g. "SAFFL = 'Y' and AGE >= 65".
    #[arg(long = "where", value_name = "CONDITION")]
    pub(super) filter: Option<String>,
}

/// Open a trial CSV with the `--where` filter, if any.
pub(super) fn open_filtered(file: &std::path::Path, filter: Option<&str>) -> Result<trialstat::ingest::table::CsvFile, Error> {
    let f = trialstat::ingest::table::CsvFile::open(file)?;
    match filter {
        Some(w) => f.with_filter(w),
        None => Ok(f),
    }
}

/// Flags choosing the arms of a trial-file analysis.
#[derive(Args, Debug, Clone, Default)]
pub(super) struct ArmFlags {
    /// Arm(s) compared with the control, as written in the arm column (comma-separated;
    /// default: every other arm).
    #[arg(long, value_name = "LABEL", value_delimiter = ',')]
    pub(super) treatment: Vec<String>,
    /// The control arm (default: the only other arm, or the one labelled placebo/control).
    #[arg(long, value_name = "LABEL")]
    pub(super) control: Option<String>,
    /// Count arm labels that differ only in case or surrounding spaces ("Placebo ", "placebo")
    /// as one arm, under the most frequent spelling (otherwise they are an error).
    #[arg(long)]
    pub(super) merge_arm_variants: bool,
}

impl ArmFlags {
    pub(super) fn choice(&self) -> trialstat::analysis::arms::ArmChoice {
        trialstat::analysis::arms::ArmChoice { treatment: self.treatment.clone(), control: self.control.clone(), merge_variants: self.merge_arm_variants }
    }
}

impl ColumnFlags {
    pub(super) fn overrides(&self) -> trialstat::ingest::layout::Overrides {
        trialstat::ingest::layout::Overrides {
            subject: self.subject.clone(),
            arm: self.arm.clone(),
            visit: self.visit.clone(),
            param: self.param.clone(),
            value: self.value.clone(),
            site: self.site.clone(),
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum AeRowsArg {
    /// SOC rows, each followed by its preferred terms.
    SocTerm,
    /// SOC rows only.
    Soc,
    /// Preferred-term rows only.
    Term,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum TermCaseArg {
    /// As in the file.
    AsCoded,
    /// Terms in capitals in sentence case.
    Sentence,
    /// Terms in capitals in title case.
    Title,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum AggregateArg {
    Sum,
    Mean,
}

impl From<AggregateArg> for trialstat::ingest::subjects::Aggregate {
    fn from(a: AggregateArg) -> Self {
        match a {
            AggregateArg::Sum => Self::Sum,
            AggregateArg::Mean => Self::Mean,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum MissingArg {
    /// Leave out subjects without a responder status.
    CompleteCase,
    /// Count subjects without a responder status as non-responders.
    Nonresponder,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum EventsArg {
    /// Events are harmful (adverse events): fewer events in the first group is a benefit.
    Harmful,
    /// Events are beneficial (responders): more events in the first group is a benefit.
    Beneficial,
}

impl From<EventsArg> for EventKind {
    fn from(e: EventsArg) -> Self {
        match e {
            EventsArg::Harmful => EventKind::Harmful,
            EventsArg::Beneficial => EventKind::Beneficial,
        }
    }
}


pub(super) fn options(common: &Common, labels: Option<&str>) -> Result<(counts::CountOptions, Format), Error> {
    let level = parse_level(&common.level)?;
    let methods = parse_methods(&common.ci_method)?;
    let labels = match labels {
        None => ["treated".to_string(), "control".to_string()],
        Some(s) => {
            let parts: Vec<&str> = s.split(',').map(str::trim).collect();
            if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
                return Err(Error::invalid("--labels", format!("'{s}'"), "two non-empty labels separated by a comma, e.g. acupuncture,celecoxib"));
            }
            if parts[0] == parts[1] {
                return Err(Error::invalid("--labels", format!("'{s}'"), "two different labels"));
            }
            [parts[0].to_string(), parts[1].to_string()]
        }
    };
    Ok((counts::CountOptions { level, methods, labels, ..Default::default() }, common.format))
}

pub(super) fn parse_level(s: &str) -> Result<f64, Error> {
    let v: f64 = s.trim().parse().map_err(|_| Error::invalid("--level", format!("'{s}'"), "a number strictly between 0 and 1, e.g. 0.95"))?;
    if v.is_finite() && v > 1.0 && v < 100.0 {
        return Err(Error::invalid("--level", s, format!("a number strictly between 0 and 1 (for {v}% write {})", v / 100.0)));
    }
    trialstat::data::check_level(v).map_err(|_| Error::invalid("--level", s, "a number strictly between 0 and 1, e.g. 0.95"))
}

pub(super) fn parse_methods(names: &[String]) -> Result<MethodChoice, Error> {
    MethodChoice::parse("--ci-method", names)
}
