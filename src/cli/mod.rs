//! The `trialstat` command line: parses arguments into library inputs, calls the library,
//! prints the rendered report. No statistics here.
//!
//! Exit status: 0 success; 2 the command cannot run as asked (bad argument or option, missing
//! file or column); 3 a value inside a data file is invalid; 4 a computation failed (did not
//! converge). Status 1 is reserved for "a claim did not reproduce". A closed stdout (`| head`)
//! ends a command quietly with the status it would have had: see [`print_stdout`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use trialstat::analysis::{counts, MethodChoice};
use trialstat::ingest::{counts as parse, strata as strata_file};
use std::io::Write;
use trialstat::render::{render_with, CsvCells, Format};
use trialstat::stats::two_by_two::EventKind;
use trialstat::Error;

const AFTER_HELP: &str = "\
Counts are read as papers print them: EVENTS/N (7/1000) or PERCENT%/N (0.7%/1000); rates as
EVENTS/PERSON-TIME (12/100000 or 12/1e5); summaries as MEAN,SD,N. The first group is the
treated/exposed one: every ratio and difference is first vs second.

Exit status: 0 ok, 2 bad argument/option/file, 3 invalid value in a data file, 4 computation failed.";

#[derive(Parser, Debug)]
#[command(name = "trialstat", version, about = "Clinical-trial statistics with the CIs R and SciPy print", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress indicators on stderr (they show only on a terminal, for steps that take more
    /// than a second or two: reading a large file, the steps of a report).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Write CSV cells as they are. By default a cell that a spreadsheet would run as a formula
    /// (one beginning with = + - @, a tab or a carriage return, and not a number) gets a leading
    /// ' (OWASP "CSV Injection"); applies to --format csv and to the CSV tables of a report.
    #[arg(long, global = true)]
    csv_raw: bool,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    level: String,
    /// CI method to report (repeatable); `all` reports every method. Default: each measure's
    /// recommended method.
    #[arg(long = "ci-method", value_name = "NAME")]
    ci_method: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Options of the continuous analyses (`change`, `endpoint`): summaries, rank tests, level, format.
#[derive(Args, Debug)]
struct ContinuousFlags {
    /// Quartile type of the summaries, 1-9 (R's quantile types; 7 is R's default).
    #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=9))]
    quantile_type: u8,
    /// Rank tests: auto (R's rule: exact below 50 without ties, else normal), exact, normal
    /// (continuity-corrected) or normal-uncorrected.
    #[arg(long, default_value = "auto", value_name = "METHOD")]
    rank_method: String,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

impl ContinuousFlags {
    /// The options of a `change`/`endpoint` request (percent change and covariates aside).
    fn options(&self) -> Result<trialstat::analysis::change::ChangeOptions, Error> {
        Ok(trialstat::analysis::change::ChangeOptions {
            level: parse_level(&self.level)?,
            quantile_type: self.quantile_type,
            rank_method: trialstat::analysis::change::parse_rank_method("--rank-method", &self.rank_method)?,
            ..Default::default()
        })
    }
}

/// Flags naming the columns of a trial file; each overrides the recognised column.
#[derive(Args, Debug, Clone, Default)]
struct ColumnFlags {
    /// Subject identifier column.
    #[arg(long, value_name = "COLUMN")]
    subject: Option<String>,
    /// Arm (treatment or exposure group) column.
    #[arg(long, value_name = "COLUMN")]
    arm: Option<String>,
    /// Visit column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    visit: Option<String>,
    /// Parameter column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    param: Option<String>,
    /// Value column (long layouts).
    #[arg(long, value_name = "COLUMN")]
    value: Option<String>,
    /// Site column.
    #[arg(long, value_name = "COLUMN")]
    site: Option<String>,
    /// Keep only the rows matching CONDITION, e.g. "SAFFL = 'Y' and AGE >= 65".
    #[arg(long = "where", value_name = "CONDITION")]
    filter: Option<String>,
}

/// Open a trial CSV with the `--where` filter, if any.
fn open_filtered(file: &std::path::Path, filter: Option<&str>) -> Result<trialstat::ingest::table::CsvFile, Error> {
    let f = trialstat::ingest::table::CsvFile::open(file)?;
    match filter {
        Some(w) => f.with_filter(w),
        None => Ok(f),
    }
}

/// Flags choosing the arms of a trial-file analysis.
#[derive(Args, Debug, Clone, Default)]
struct ArmFlags {
    /// Arm(s) compared with the control, as written in the arm column (comma-separated;
    /// default: every other arm).
    #[arg(long, value_name = "LABEL", value_delimiter = ',')]
    treatment: Vec<String>,
    /// The control arm (default: the only other arm, or the one labelled placebo/control).
    #[arg(long, value_name = "LABEL")]
    control: Option<String>,
    /// Count arm labels that differ only in case or surrounding spaces ("Placebo ", "placebo")
    /// as one arm, under the most frequent spelling (otherwise they are an error).
    #[arg(long)]
    merge_arm_variants: bool,
}

impl ArmFlags {
    fn choice(&self) -> trialstat::analysis::arms::ArmChoice {
        trialstat::analysis::arms::ArmChoice { treatment: self.treatment.clone(), control: self.control.clone(), merge_variants: self.merge_arm_variants }
    }
}

impl ColumnFlags {
    fn overrides(&self) -> trialstat::ingest::layout::Overrides {
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
enum AeRowsArg {
    /// SOC rows, each followed by its preferred terms.
    SocTerm,
    /// SOC rows only.
    Soc,
    /// Preferred-term rows only.
    Term,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum AggregateArg {
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
enum MissingArg {
    /// Leave out subjects without a responder status.
    CompleteCase,
    /// Count subjects without a responder status as non-responders.
    Nonresponder,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum EventsArg {
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

#[derive(Subcommand, Debug)]
enum Command {
    /// Describe a trial CSV: detected layout (ADaM ADSL/BDS/ADAE, long, wide), arms with
    /// subjects and rows, visits, parameters and missing values by arm.
    Describe {
        /// The CSV file (comma, semicolon or tab; UTF-8 with or without BOM).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Responder rates by arm, compared as `compare` does (each arm vs the control):
    /// `trialstat responders FILE --flag response`, `--baseline pk1 --followup pk5 --reduction 35%`,
    /// or on a long file `--value y --baseline base --followup-visit 1,2,3,4 --aggregate sum --reduction 50%`.
    Responders {
        /// The CSV file (one row per subject, or per subject and visit).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        #[command(flatten)]
        arms: ArmFlags,
        /// Responder flag column (1/Y/YES/TRUE = responder).
        #[arg(long, value_name = "COLUMN", conflicts_with_all = ["baseline", "followup", "reduction", "increase", "baseline_visit", "followup_visit"])]
        flag: Option<String>,
        /// The flag value that marks a responder (e.g. 1_yes); other values are non-responders.
        #[arg(long, value_name = "VALUE", requires = "flag")]
        flag_value: Option<String>,
        /// Baseline column (wide files; or a subject-level column such as BASE in a long file).
        #[arg(long, value_name = "COLUMN")]
        baseline: Option<String>,
        /// Follow-up column (wide files).
        #[arg(long, value_name = "COLUMN")]
        followup: Option<String>,
        /// Baseline visit of a long file.
        #[arg(long, value_name = "VISIT", conflicts_with = "baseline")]
        baseline_visit: Option<String>,
        /// Follow-up visit(s) of a long file, comma-separated; several need --aggregate.
        #[arg(long, value_name = "VISIT", value_delimiter = ',', conflicts_with = "followup")]
        followup_visit: Vec<String>,
        /// Combine several follow-up visits per subject (sum or mean).
        #[arg(long, value_enum)]
        aggregate: Option<AggregateArg>,
        /// Parameter of a long file with a parameter column (e.g. ACTOT).
        #[arg(long, value_name = "VALUE")]
        paramcd: Option<String>,
        /// Responder: follow-up at least this far below baseline: 40% (relative to |baseline|)
        /// or 4 (absolute, in the outcome's units).
        #[arg(long, value_name = "THRESHOLD", conflicts_with = "increase", allow_hyphen_values = true)]
        reduction: Option<String>,
        /// Responder: follow-up at least this far above baseline: 50% or an absolute amount.
        #[arg(long, value_name = "THRESHOLD", allow_hyphen_values = true)]
        increase: Option<String>,
        /// Subjects without a responder status: left out, or counted as non-responders.
        #[arg(long, value_enum, default_value_t = MissingArg::CompleteCase)]
        missing: MissingArg,
        /// Whether a response is a benefit (default) or a harm (decides NNTB vs NNTH).
        #[arg(long, value_enum, default_value_t = EventsArg::Beneficial)]
        events: EventsArg,
        /// Display labels of the two arms, TREATMENT,CONTROL (default: the arm values).
        #[arg(long, value_name = "FIRST,SECOND")]
        labels: Option<String>,
        /// Stratify by this column (e.g. site): adds Mantel-Haenszel RR/OR/RD, CMH, Breslow-Day.
        #[arg(long, value_name = "COLUMN")]
        strata: Option<String>,
        /// Summarise this column (wide) or parameter (long) by responder status within each arm.
        #[arg(long, value_name = "COLUMN|PARAM")]
        by_responder: Option<String>,
        /// Quartile type of those summaries, 1-9 (R's quantile types; 7 is R's default).
        #[arg(long, default_value_t = 7, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=9))]
        quantile_type: u8,
        #[command(flatten)]
        common: Common,
    },
    /// Change from baseline by arm: summaries, paired tests, Welch difference, Hedges' g,
    /// Mann-Whitney/Hodges-Lehmann and ANCOVA. Wide files: `--baseline pk1 --followup pk5`;
    /// long/BDS files: `--paramcd ACTOT --baseline-visit Baseline --followup-visit "Week 24"`.
    Change {
        /// The CSV file (one row per subject, or per subject and visit).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        #[command(flatten)]
        arms: ArmFlags,
        /// Baseline column (wide files; or a subject-level column such as BASE in a long file).
        #[arg(long, value_name = "COLUMN")]
        baseline: Option<String>,
        /// Follow-up column(s) of a wide file, comma-separated: one analysis each.
        #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
        followup: Vec<String>,
        /// Baseline visit of a long file (a value of the visit column).
        #[arg(long, value_name = "VISIT")]
        baseline_visit: Option<String>,
        /// Follow-up visit(s) of a long file, comma-separated (default: every other visit).
        #[arg(long, value_name = "VISIT", value_delimiter = ',')]
        followup_visit: Vec<String>,
        /// Combine the follow-up visits per subject into one value (sum or mean).
        #[arg(long, value_enum)]
        aggregate: Option<AggregateArg>,
        /// Parameter(s) to analyse in a long file with a parameter column (default: all).
        #[arg(long, value_name = "VALUE", value_delimiter = ',')]
        paramcd: Vec<String>,
        /// ANCOVA covariates besides baseline, comma-separated: numeric columns as they are, columns
        /// without a number (or written factor(x)) as indicators; numbers mixed with text are an error.
        #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
        covariates: Vec<String>,
        /// Do not report percent change (needed when a baseline is 0).
        #[arg(long)]
        no_percent: bool,
        #[command(flatten)]
        continuous: ContinuousFlags,
    },
    /// Arms compared on the values at one visit (not on change from baseline): per-arm summaries,
    /// mean difference (Welch, pooled), Hedges' g, Hodges-Lehmann with Mann-Whitney:
    /// `trialstat endpoint adqs.csv --followup-visit "Week 24" --paramcd ACTOT`.
    Endpoint {
        /// The CSV file (one row per subject, or per subject and visit).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        #[command(flatten)]
        arms: ArmFlags,
        /// Column(s) of a wide file, comma-separated: one comparison each.
        #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
        followup: Vec<String>,
        /// Visit(s) of a long file, comma-separated: one comparison each.
        #[arg(long, value_name = "VISIT", value_delimiter = ',')]
        followup_visit: Vec<String>,
        /// Parameter(s) of a long file with a parameter column (default: all).
        #[arg(long, value_name = "VALUE", value_delimiter = ',')]
        paramcd: Vec<String>,
        #[command(flatten)]
        continuous: ContinuousFlags,
    },
    /// Adverse-event incidence by arm, SOC and preferred term, with denominators from the subject
    /// file: `trialstat ae adae.csv --subjects adsl.csv --teae`.
    Ae {
        /// The AE file (one row per adverse event, e.g. ADaM ADAE).
        file: PathBuf,
        /// The subject file giving arms and denominators (e.g. ADSL).
        #[arg(long, value_name = "FILE")]
        subjects: PathBuf,
        /// Population: keep these rows of the subject file (default: SAFFL = 'Y' when present).
        #[arg(long, value_name = "CONDITION")]
        subjects_where: Option<String>,
        /// Keep only the AE records matching CONDITION.
        #[arg(long = "where", value_name = "CONDITION")]
        filter: Option<String>,
        #[command(flatten)]
        arms: ArmFlags,
        /// Subject identifier column of the subject file.
        #[arg(long, value_name = "COLUMN")]
        subject: Option<String>,
        /// Arm column of the subject file (default TRT01A, TRT01P, ARM, ...).
        #[arg(long, value_name = "COLUMN")]
        arm: Option<String>,
        /// Subject identifier column of the AE file.
        #[arg(long, value_name = "COLUMN")]
        ae_subject: Option<String>,
        /// System organ class column of the AE file (default AEBODSYS).
        #[arg(long, value_name = "COLUMN")]
        soc: Option<String>,
        /// Preferred term column of the AE file (default AEDECOD).
        #[arg(long, value_name = "COLUMN")]
        term: Option<String>,
        /// Treatment-emergent events only (TRTEMFL = Y).
        #[arg(long)]
        teae: bool,
        /// Serious events only (AESER = Y).
        #[arg(long)]
        serious: bool,
        /// Events of these severities only (AESEV), comma-separated, e.g. SEVERE.
        #[arg(long, value_name = "LEVELS", value_delimiter = ',')]
        severity: Vec<String>,
        /// Rows: SOCs with their terms (default), SOCs only, or terms only.
        #[arg(long, value_enum, default_value_t = AeRowsArg::SocTerm)]
        rows: AeRowsArg,
        /// Show only terms reaching this percentage of subjects in at least one arm.
        #[arg(long, value_name = "PERCENT")]
        min_percent: Option<f64>,
        /// Stratify by this subject-file column: adds MH RR/OR/RD and Breslow-Day per row.
        #[arg(long, value_name = "COLUMN")]
        strata: Option<String>,
        /// CI method of the proportions, risk ratios and risk differences (repeatable or
        /// comma-separated; `all` for every method); naming an odds-ratio method adds odds
        /// ratios. Default: Wilson, Koopman, Newcombe.
        #[arg(long = "ci-method", value_name = "NAME")]
        ci_method: Vec<String>,
        /// Two-sided confidence level, strictly between 0 and 1.
        #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
        level: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Incidence rates per person-time by arm or exposure group (trial or cohort file), with rate
    /// ratios: `trialstat incidence adtte.csv --censor CNSR --time AVAL --time-unit days`.
    Incidence {
        /// The CSV file (rows are summed per group: one row per subject or per subject-period).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        #[command(flatten)]
        arms: ArmFlags,
        /// Event count or yes/no flag column.
        #[arg(long, value_name = "COLUMN", required_unless_present = "censor", conflicts_with = "censor")]
        event: Option<String>,
        /// Censoring flag column instead (0 = event, 1 = censored; ADaM CNSR).
        #[arg(long, value_name = "COLUMN")]
        censor: Option<String>,
        /// Person-time column.
        #[arg(long, value_name = "COLUMN")]
        time: String,
        /// Unit of the person-time column, for labels (e.g. days, years).
        #[arg(long, value_name = "UNIT")]
        time_unit: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Run a study spec into a folder of tables (CSV, JSON, Markdown), plots (SVG, PNG),
    /// index.html and manifest.json. With no SPEC, the bundled headache-trial study.
    Report {
        /// The study spec (TOML); default: the bundled headache-trial study.
        spec: Option<PathBuf>,
        /// Output folder.
        #[arg(long, value_name = "DIR", default_value = "trialstat-report")]
        out: PathBuf,
        /// Replace the output folder if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check cited figures: each claim of CLAIMS.toml computed and compared with its tolerance.
    /// Exit status 1 when a claim does not reproduce.
    Check {
        /// The claims file (TOML).
        file: PathBuf,
        /// Also write JUnit XML (one test case per claim) to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One proportion with its CI: `trialstat prop 7/1000`.
    Prop {
        /// EVENTS/N or PERCENT%/N.
        #[arg(allow_hyphen_values = true)]
        count: String,
        /// Label of the group.
        #[arg(long, default_value = "group")]
        label: String,
        #[command(flatten)]
        common: Common,
    },
    /// Two proportions: RR, OR, RD, NNT with CIs, Fisher's exact and chi-squared tests:
    /// `trialstat compare 7/1000 124/1000`.
    Compare {
        /// First (treated/exposed) group: EVENTS/N or PERCENT%/N.
        #[arg(allow_hyphen_values = true)]
        treated: String,
        /// Second (control) group: EVENTS/N or PERCENT%/N.
        #[arg(allow_hyphen_values = true)]
        control: String,
        /// Labels of the two groups, FIRST,SECOND.
        #[arg(long, value_name = "FIRST,SECOND")]
        labels: Option<String>,
        /// Whether the events are harmful or beneficial (decides NNTB vs NNTH).
        #[arg(long, value_enum, default_value_t = EventsArg::Harmful)]
        events: EventsArg,
        #[command(flatten)]
        common: Common,
    },
    /// Two incidence rates: rate ratio (exact conditional, Wald) and rate difference:
    /// `trialstat rates 12/100000 4/100000`.
    Rates {
        /// First (treated/exposed) group: EVENTS/PERSON-TIME.
        #[arg(allow_hyphen_values = true)]
        treated: String,
        /// Second (control) group: EVENTS/PERSON-TIME.
        #[arg(allow_hyphen_values = true)]
        control: String,
        /// Labels of the two groups, FIRST,SECOND.
        #[arg(long, value_name = "FIRST,SECOND")]
        labels: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Stratified 2x2 tables from a CSV with the header
    /// stratum,events_treated,n_treated,events_control,n_control: MH RR/OR/RD, CMH, Breslow-Day.
    Strata {
        /// The stratum file (comma, semicolon or tab delimited).
        file: PathBuf,
        /// Labels of the two groups, TREATED,CONTROL.
        #[arg(long, value_name = "FIRST,SECOND")]
        labels: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Bootstrap percentile and BCa CIs of a two-arm comparison of one value per row, resampling
    /// within arms: `trialstat bootstrap w3.csv --value value --control control --statistic hedges-g`.
    Bootstrap {
        /// The CSV file (one value per row; pick one visit of a long file with --where).
        file: PathBuf,
        #[command(flatten)]
        columns: ColumnFlags,
        #[command(flatten)]
        arms: ArmFlags,
        /// Statistic(s), comma-separated: mean-difference, hedges-g, median-difference,
        /// ratio-of-means (treatment vs control).
        #[arg(long, value_name = "NAME", value_delimiter = ',', default_value = "mean-difference,hedges-g")]
        statistic: Vec<String>,
        /// Number of resamples (9999: (R + 1)·α is whole at the usual levels).
        #[arg(long, default_value_t = 9999, value_name = "R")]
        resamples: usize,
        /// Seed of the random streams (resample b uses stream b): same seed, same numbers.
        #[arg(long, default_value_t = 20240601, value_name = "N")]
        seed: u64,
        /// Two-sided confidence level, strictly between 0 and 1.
        #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
        level: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Standardised mean differences from summaries:
    /// `trialstat smd --treated 16.2,13.7,161 --control 22.3,17.0,140`.
    Smd {
        /// First (treated) group: MEAN,SD,N.
        #[arg(long, allow_hyphen_values = true, value_name = "MEAN,SD,N")]
        treated: String,
        /// Second (control) group: MEAN,SD,N.
        #[arg(long, allow_hyphen_values = true, value_name = "MEAN,SD,N")]
        control: String,
        /// Labels of the two groups, FIRST,SECOND.
        #[arg(long, value_name = "FIRST,SECOND")]
        labels: Option<String>,
        #[command(flatten)]
        common: Common,
    },
}

/// Run the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    trialstat::progress::enable(!cli.quiet);
    let cells = if cli.csv_raw { CsvCells::Raw } else { CsvCells::Neutralised };
    if let Command::Check { file, junit, format } = &cli.command {
        return check(file, junit.as_deref(), *format, cells);
    }
    // A spinner while a data command works on a large file (reading dominates).
    let _progress = match &cli.command {
        Command::Describe { file, .. } | Command::Responders { file, .. } | Command::Change { file, .. } | Command::Ae { file, .. } | Command::Incidence { file, .. } | Command::Bootstrap { file, .. } | Command::Endpoint { file, .. } => match std::fs::metadata(file) {
            Ok(m) if m.len() >= trialstat::progress::LARGE_FILE_BYTES => trialstat::progress::spinner(format!("{} ({} MB)", file.display(), m.len() / 1_000_000)),
            _ => trialstat::progress::Step::hidden(),
        },
        _ => trialstat::progress::Step::hidden(),
    };
    let result = run(cli);
    drop(_progress);
    match result {
        Ok(out) => finish(&out, 0),
        Err(e) => {
            error_line(&e.to_string());
            exit_code(&e)
        }
    }
}

/// Print `text` on stdout through a writer that returns its errors (`print!` panics on them,
/// "failed printing to stdout", exit 101).
///
/// A closed stdout (`trialstat compare 7/1000 124/1000 | head -1`: the reader has gone, the
/// write fails with EPIPE) ends the command quietly with the status it would have had, as
/// ripgrep and xsv do (both exit 0 on `BrokenPipe`). The Rust runtime ignores SIGPIPE, so the
/// closed pipe arrives as an error here; we do not restore the signal's default
/// (`libc::signal(SIGPIPE, SIG_DFL)`, death with status 141), because a signal can strike any
/// write, not only stdout's: `report` could die between the steps of its folder swap and
/// `check` before its JUnit file is complete, and `check` would lose its verdict (1 when a claim
/// did not reproduce), which a CI script with `set -o pipefail` reads. Any other write error (a
/// full disk, `/dev/full`) is exit 2 with "cannot write output: ...".
fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

/// Print the output of a command whose status is `status`: see [`print_stdout`].
fn finish(text: &str, status: i32) -> i32 {
    match print_stdout(text) {
        Ok(()) => status,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => status,
        Err(e) => {
            error_line(&format!("cannot write output: {e}"));
            2
        }
    }
}

/// One error line on stderr; a closed or failing stderr is ignored (`eprintln!` would panic).
fn error_line(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "trialstat: error: {message}");
}

/// `trialstat check`: print the table, write JUnit if asked; 1 when a claim did not reproduce.
fn check(file: &std::path::Path, junit: Option<&std::path::Path>, format: Format, cells: CsvCells) -> i32 {
    let r = match trialstat::claims::check_file(file) {
        Ok(r) => r,
        Err(e) => {
            error_line(&e.to_string());
            return exit_code(&e);
        }
    };
    if let Some(j) = junit {
        if let Err(e) = std::fs::write(j, trialstat::claims::junit(&r)) {
            error_line(&format!("{}: cannot write: {e}", j.display()));
            return 2;
        }
    }
    finish(&trialstat::claims::render_with(&r, format, cells), if r.all_reproduced() { 0 } else { 1 })
}

fn exit_code(e: &Error) -> i32 {
    match e.root() {
        Error::Data { .. } | Error::Problems { .. } => 3,
        Error::NoConvergence { .. } => 4,
        _ => 2,
    }
}

fn run(cli: Cli) -> Result<String, Error> {
    let cells = if cli.csv_raw { CsvCells::Raw } else { CsvCells::Neutralised };
    let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
    match cli.command {
        Command::Describe { file, columns, format } => {
            let f = open_filtered(&file, columns.filter.as_deref())?;
            let d = trialstat::ingest::table::describe(&f, &columns.overrides())?;
            Ok(trialstat::render::describe_with(&d, format, cells))
        }
        Command::Responders {
            file,
            columns,
            arms,
            flag,
            flag_value,
            baseline,
            followup,
            baseline_visit,
            followup_visit,
            aggregate,
            paramcd,
            reduction,
            increase,
            missing,
            events,
            labels,
            strata,
            by_responder,
            quantile_type,
            common,
        } => {
            use trialstat::analysis::responders::{responders_file, MissingPolicy, ResponderRule, ResponderSpec};
            use trialstat::ingest::subjects::{Aggregate, ValueSource};
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
        Command::Change { file, columns, arms, baseline, followup, baseline_visit, followup_visit, aggregate, paramcd, covariates, no_percent, continuous } => {
            use trialstat::analysis::change::{change_file, ChangeOptions, ChangeSpec};
            let f = open_filtered(&file, columns.filter.as_deref())?;
            let spec = ChangeSpec {
                arms: arms.choice(),
                baseline,
                baseline_visit,
                followup,
                followup_visits: followup_visit,
                aggregate: aggregate.map(Into::into),
                params: paramcd,
                options: ChangeOptions { percent: !no_percent, covariates, ..continuous.options()? },
            };
            Ok(render(&change_file(&f, &columns.overrides(), &spec)?, continuous.format))
        }
        Command::Endpoint { file, columns, arms, followup, followup_visit, paramcd, continuous } => {
            use trialstat::analysis::change::{endpoint_file, ChangeSpec};
            let f = open_filtered(&file, columns.filter.as_deref())?;
            let spec = ChangeSpec {
                arms: arms.choice(),
                followup,
                followup_visits: followup_visit,
                params: paramcd,
                options: continuous.options()?,
                ..Default::default()
            };
            Ok(render(&endpoint_file(&f, &columns.overrides(), &spec)?, continuous.format))
        }
        Command::Ae { file, subjects, subjects_where, filter, arms, subject, arm, ae_subject, soc, term, teae, serious, severity, rows, min_percent, strata, ci_method, level, format } => {
            use trialstat::analysis::ae::{ae_table, AeRows, AeSpec};
            let level = parse_level(&level)?;
            let ae = open_filtered(&file, filter.as_deref())?;
            let subj = open_filtered(&subjects, subjects_where.as_deref())?;
            let spec = AeSpec {
                arms: arms.choice(),
                subject_id: subject,
                arm,
                ae_subject,
                soc,
                term,
                teae,
                serious,
                severity,
                rows: match rows {
                    AeRowsArg::SocTerm => AeRows::SocAndTerm,
                    AeRowsArg::Soc => AeRows::Soc,
                    AeRowsArg::Term => AeRows::Term,
                },
                min_percent,
                strata,
                level,
                methods: parse_methods(&ci_method)?,
            };
            Ok(render(&ae_table(&ae, &subj, &spec)?, format))
        }
        Command::Incidence { file, columns, arms, event, censor, time, time_unit, common } => {
            use trialstat::analysis::incidence::{incidence_file, EventSource, IncidenceSpec};
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
        Command::Report { spec, out, force } => {
            let outputs = match &spec {
                Some(p) => trialstat::report::run_file(p, &out, force, cli.csv_raw)?,
                None => trialstat::report::run_default(&out, force, cli.csv_raw)?,
            };
            let tables = outputs.iter().filter(|o| o.path.starts_with("tables/")).count();
            let plots = outputs.iter().filter(|o| o.path.starts_with("plots/")).count();
            Ok(format!("trialstat report: {} written ({} table files, {} plot files, index.html, manifest.json)\n", out.display(), tables, plots))
        }
        Command::Check { .. } => Err(Error::invalid("command", "check", "is run by main before other commands")),
        Command::Prop { count, label, common } => {
            let (opts, format) = options(&common, None)?;
            let c = parse::parse_count("count", &count)?;
            let opts = counts::CountOptions { input_notes: c.note.into_iter().collect(), labels: [label.clone(), String::new()], ..opts };
            Ok(render(&counts::single_proportion(&c.count, &label, &opts)?, format))
        }
        Command::Compare { treated, control, labels, events, common } => {
            let (mut opts, format) = options(&common, labels.as_deref())?;
            let t = parse::parse_count("first count (treated)", &treated)?;
            let c = parse::parse_count("second count (control)", &control)?;
            opts.input_notes = [t.note, c.note].into_iter().flatten().collect();
            opts.events = events.into();
            let table = trialstat::data::TwoByTwo::new(t.count, c.count);
            Ok(render(&counts::compare(&table, &opts)?, format))
        }
        Command::Rates { treated, control, labels, common } => {
            let (opts, format) = options(&common, labels.as_deref())?;
            let t = parse::parse_person_time("first rate (treated)", &treated)?;
            let c = parse::parse_person_time("second rate (control)", &control)?;
            Ok(render(&counts::compare_rates(&t, &c, &opts)?, format))
        }
        Command::Strata { file, labels, common } => {
            let (opts, format) = options(&common, labels.as_deref())?;
            let strata = strata_file::read_strata_file(&file)?;
            Ok(render(&counts::stratified(&strata, &file.display().to_string(), &opts)?, format))
        }
        Command::Bootstrap { file, columns, arms, statistic, resamples, seed, level, format } => {
            use trialstat::analysis::bootstrap::{bootstrap_file, BootStatistic, BootstrapSpec};
            use trialstat::stats::bootstrap::BootstrapOptions;
            let level = parse_level(&level)?;
            let statistics = statistic.iter().map(|s| s.parse::<BootStatistic>()).collect::<Result<Vec<_>, _>>()?;
            let f = open_filtered(&file, columns.filter.as_deref())?;
            let spec = BootstrapSpec { arms: arms.choice(), value: columns.value.clone(), statistics, options: BootstrapOptions { resamples, seed, level, threads: 0 } };
            Ok(render(&bootstrap_file(&f, &columns.overrides(), &spec)?, format))
        }
        Command::Smd { treated, control, labels, common } => {
            let (opts, format) = options(&common, labels.as_deref())?;
            let t = parse::parse_summary("--treated", &treated)?;
            let c = parse::parse_summary("--control", &control)?;
            Ok(render(&counts::standardized(&t, &c, &opts)?, format))
        }
    }
}

fn options(common: &Common, labels: Option<&str>) -> Result<(counts::CountOptions, Format), Error> {
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

fn parse_level(s: &str) -> Result<f64, Error> {
    let v: f64 = s.trim().parse().map_err(|_| Error::invalid("--level", format!("'{s}'"), "a number strictly between 0 and 1, e.g. 0.95"))?;
    if v.is_finite() && v > 1.0 && v < 100.0 {
        return Err(Error::invalid("--level", s, format!("a number strictly between 0 and 1 (for {v}% write {})", v / 100.0)));
    }
    trialstat::data::check_level(v).map_err(|_| Error::invalid("--level", s, "a number strictly between 0 and 1, e.g. 0.95"))
}

fn parse_methods(names: &[String]) -> Result<MethodChoice, Error> {
    MethodChoice::parse("--ci-method", names)
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks over every subcommand (duplicate flag names, conflicting
    /// defaults): a mistake there panics only when that subcommand is run.
    #[test]
    fn command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
