//! The `trialstat` command line: parses arguments into library inputs, calls the library,
//! prints the rendered report. No statistics here.
//!
//! Exit status: 0 success; 2 the command cannot run as asked (bad argument or option, missing
//! file or column); 3 a value inside a data file is invalid; 4 a computation failed (did not
//! converge). Status 1 is reserved for "a claim did not reproduce". A closed stdout (`| head`)
//! ends a command quietly with the status it would have had: see [`print_stdout`].

mod flags;
mod describe;
mod responders;
mod change;
mod endpoint;
mod ae;
mod incidence;
mod report;
mod check;
mod prop;
mod compare;
mod rates;
mod strata;
mod bootstrap;
mod smd;
mod survival;
mod meta;
mod baseline;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use trialstat::analysis::{counts, MethodChoice};
use trialstat::ingest::{counts as parse, strata as strata_file};
use std::io::Write;
use trialstat::render::{render_with, CsvCells, Format};
use trialstat::stats::two_by_two::EventKind;
use trialstat::Error;
use flags::*;

const AFTER_HELP: &str = "\
Counts are read as papers print them: EVENTS/N (7/1000) or PERCENT%/N (0.7%/1000); rates as
EVENTS/PERSON-TIME (12/100000 or 12/1e5); summaries as MEAN,SD,N. The first group is the
treated/exposed one: every ratio and difference is first vs second.

Exit status: 0 ok; 1 a claim did not reproduce (check); 2 bad argument/option/file; 3 invalid value
in a data file; 4 computation failed (did not converge).";

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

#[derive(Subcommand, Debug)]
enum Command {
    /// Describe a trial CSV: detected layout (ADaM ADSL/BDS/ADAE, long, wide), arms with
    /// subjects and rows, visits, parameters and missing values by arm.
    Describe(describe::DescribeArgs),
    /// Responder rates by arm, compared as `compare` does (each arm vs the control):
    /// `trialstat responders FILE --flag response`, `--baseline pk1 --followup pk5 --reduction 35%`,
    /// or on a long file `--value y --baseline base --followup-visit 1,2,3,4 --aggregate sum --reduction 50%`.
    Responders(responders::RespondersArgs),
    /// Change from baseline by arm: summaries, paired tests, Welch difference, Hedges' g,
    /// Mann-Whitney/Hodges-Lehmann and ANCOVA. Wide files: `--baseline pk1 --followup pk5`;
    /// long/BDS files: `--paramcd ACTOT --baseline-visit Baseline --followup-visit "Week 24"`.
    Change(change::ChangeArgs),
    /// Arms compared on the values at one visit (not on change from baseline): per-arm summaries,
    /// mean difference (Welch, pooled), Hedges' g, Hodges-Lehmann with Mann-Whitney:
    /// `trialstat endpoint adqs.csv --followup-visit "Week 24" --paramcd ACTOT`.
    Endpoint(endpoint::EndpointArgs),
    /// Adverse-event incidence by arm, SOC and preferred term, with denominators from the subject
    /// file: `trialstat ae adae.csv --subjects adsl.csv --teae`.
    Ae(ae::AeArgs),
    /// Incidence rates per person-time by arm or exposure group (trial or cohort file), with rate
    /// ratios: `trialstat incidence adtte.csv --censor CNSR --time AVAL --time-unit days`.
    Incidence(incidence::IncidenceArgs),
    /// Time to event by arm: Kaplan–Meier medians with CIs, landmark survival, RMST, log-rank
    /// test, Cox hazard ratios with the proportional-hazards test, subgroups:
    /// `trialstat survival adtte.csv --time-unit months --at 6,12`.
    Survival(survival::SurvivalArgs),
    /// Meta-analysis of a study-level file: common and random effects (REML, DL, PM, ...),
    /// heterogeneity with CIs, subgroups, meta-regression, Egger's test, trim and fill:
    /// `trialstat meta dat_lee2004.csv --measure RR`.
    Meta(meta::MetaArgs),
    /// Baseline characteristics by arm and overall ("Table 1"): mean (SD), median [Q1, Q3], n (%):
    /// `trialstat baseline adsl.csv --vars AGE,SEX,RACE --unit AGE=years`.
    Baseline(baseline::BaselineArgs),
    /// Run a study spec into a folder of tables (CSV, JSON, Markdown), plots (SVG, PNG),
    /// index.html and manifest.json. With no SPEC, the bundled headache-trial study.
    Report(report::ReportArgs),
    /// Check cited figures: each claim of CLAIMS.toml computed and compared with its tolerance.
    /// Exit status 1 when a claim does not reproduce.
    Check(check::CheckArgs),
    /// One proportion with its CI: `trialstat prop 7/1000`.
    Prop(prop::PropArgs),
    /// Two proportions: RR, OR, RD, NNT with CIs, Fisher's exact and chi-squared tests:
    /// `trialstat compare 7/1000 124/1000`.
    Compare(compare::CompareArgs),
    /// Two incidence rates: rate ratio (exact conditional, Wald) and rate difference:
    /// `trialstat rates 12/100000 4/100000`.
    Rates(rates::RatesArgs),
    /// Stratified 2x2 tables from a CSV with the header
    /// stratum,events_treated,n_treated,events_control,n_control: MH RR/OR/RD, CMH, Breslow-Day.
    Strata(strata::StrataArgs),
    /// Bootstrap percentile and BCa CIs of a two-arm comparison of one value per row, resampling
    /// within arms: `trialstat bootstrap w3.csv --value value --control control --statistic hedges-g`.
    Bootstrap(bootstrap::BootstrapArgs),
    /// Standardised mean differences from summaries:
    /// `trialstat smd --treated 16.2,13.7,161 --control 22.3,17.0,140`.
    Smd(smd::SmdArgs),
}

/// Run the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help, --version: clap's own text on stdout.
            let _ = e.print();
            return 0;
        }
        Err(e) => {
            error_line(&one_line_usage_error(&e.render().to_string()));
            return 2;
        }
    };
    trialstat::progress::enable(!cli.quiet);
    let cells = if cli.csv_raw { CsvCells::Raw } else { CsvCells::Neutralised };
    if let Command::Check(c) = &cli.command {
        return check(&c.file, c.junit.as_deref(), c.format, cells);
    }
    // A spinner while a data command works on a large file (reading dominates).
    let _progress = match &cli.command {
        Command::Describe(describe::DescribeArgs { file, .. })
        | Command::Responders(responders::RespondersArgs { file, .. })
        | Command::Change(change::ChangeArgs { file, .. })
        | Command::Ae(ae::AeArgs { file, .. })
        | Command::Incidence(incidence::IncidenceArgs { file, .. })
        | Command::Survival(survival::SurvivalArgs { file, .. })
        | Command::Meta(meta::MetaArgs { file, .. })
        | Command::Baseline(baseline::BaselineArgs { file, .. })
        | Command::Bootstrap(bootstrap::BootstrapArgs { file, .. })
        | Command::Endpoint(endpoint::EndpointArgs { file, .. }) => match std::fs::metadata(file) {
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

/// clap's multi-line usage error as the one line every error is ("the following required
/// arguments were not provided: <FILE>; usage: trialstat strata <FILE>; see --help").
fn one_line_usage_error(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut pending = String::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("For more information")) {
        let line = line.strip_prefix("error: ").unwrap_or(line);
        if let Some(u) = line.strip_prefix("Usage: ") {
            if !pending.is_empty() {
                parts.push(std::mem::take(&mut pending));
            }
            parts.push(format!("usage: {u}"));
        } else if pending.ends_with(':') || line.starts_with('<') || line.starts_with("--") {
            pending = if pending.is_empty() { line.to_string() } else { format!("{pending} {line}") };
        } else {
            if !pending.is_empty() {
                parts.push(std::mem::take(&mut pending));
            }
            pending = line.to_string();
        }
    }
    if !pending.is_empty() {
        parts.push(pending);
    }
    parts.push("see --help".into());
    parts.join("; ")
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
    match cli.command {
        Command::Describe(a) => a.run(cells),
        Command::Responders(a) => a.run(cells),
        Command::Change(a) => a.run(cells),
        Command::Endpoint(a) => a.run(cells),
        Command::Ae(a) => a.run(cells),
        Command::Incidence(a) => a.run(cells),
        Command::Survival(a) => a.run(cells),
        Command::Meta(a) => a.run(cells),
        Command::Baseline(a) => a.run(cells),
        Command::Report(a) => a.run(cells),
        Command::Check(_) => Err(Error::invalid("command", "check", "is run by main before other commands")),
        Command::Prop(a) => a.run(cells),
        Command::Compare(a) => a.run(cells),
        Command::Rates(a) => a.run(cells),
        Command::Strata(a) => a.run(cells),
        Command::Bootstrap(a) => a.run(cells),
        Command::Smd(a) => a.run(cells),
    }
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
