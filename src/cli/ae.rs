//! `trialstat ae`: its arguments and their conversion to the library request.

use super::*;
use trialstat::analysis::ae::{ae_table, AeRows, AeSpec};

/// Adverse-event incidence by arm, SOC and preferred term, with denominators from the subject
/// file: `trialstat ae adae.csv --subjects adsl.csv --teae`.
#[derive(Args, Debug)]
pub struct AeArgs {
    /// The AE file (one row per adverse event, e.g. ADaM ADAE).
    pub file: PathBuf,
    /// The subject file giving arms and denominators (e.g. ADSL).
    #[arg(long, value_name = "FILE")]
    pub subjects: PathBuf,
    /// Population: keep these rows of the subject file (default: SAFFL = 'Y' when present).
    #[arg(long, value_name = "CONDITION")]
    pub subjects_where: Option<String>,
    /// Keep only the AE records matching CONDITION.
    #[arg(long = "where", value_name = "CONDITION")]
    pub filter: Option<String>,
    #[command(flatten)]
    pub arms: ArmFlags,
    /// Subject identifier column of the subject file.
    #[arg(long, value_name = "COLUMN")]
    pub subject: Option<String>,
    /// Arm column of the subject file (default TRT01A, TRT01P, ARM, ...).
    #[arg(long, value_name = "COLUMN")]
    pub arm: Option<String>,
    /// Subject identifier column of the AE file.
    #[arg(long, value_name = "COLUMN")]
    pub ae_subject: Option<String>,
    /// System organ class column of the AE file (default AEBODSYS).
    #[arg(long, value_name = "COLUMN")]
    pub soc: Option<String>,
    /// Preferred term column of the AE file (default AEDECOD).
    #[arg(long, value_name = "COLUMN")]
    pub term: Option<String>,
    /// Treatment-emergent events only (TRTEMFL = Y).
    #[arg(long)]
    pub teae: bool,
    /// Serious events only (AESER = Y).
    #[arg(long)]
    pub serious: bool,
    /// Events of these severities only (AESEV), comma-separated, e.g. SEVERE.
    #[arg(long, value_name = "LEVELS", value_delimiter = ',')]
    pub severity: Vec<String>,
    /// Rows: SOCs with their terms (default), SOCs only, or terms only.
    #[arg(long, value_enum, default_value_t = AeRowsArg::SocTerm)]
    pub rows: AeRowsArg,
    /// The order of the treatment arms' columns, after the control's (comma-separated labels;
    /// arms not listed follow).
    #[arg(long, value_name = "LABELS", value_delimiter = ',')]
    pub arm_order: Vec<String>,
    /// How SOCs and preferred terms coded in capitals are printed: as-coded, sentence
    /// ("Application site pruritus", as MedDRA spells them) or title; JSON and CSV keep them as
    /// coded.
    #[arg(long, value_enum, default_value_t = TermCaseArg::AsCoded)]
    pub term_case: TermCaseArg,
    /// Show only terms reaching this percentage of subjects in at least one arm.
    #[arg(long, value_name = "PERCENT")]
    pub min_percent: Option<f64>,
    /// Stratify by this subject-file column: adds MH RR/OR/RD and Breslow-Day per row.
    #[arg(long, value_name = "COLUMN")]
    pub strata: Option<String>,
    /// CI method of the proportions, risk ratios and risk differences (repeatable or
    /// comma-separated; `all` for every method); naming an odds-ratio method adds odds
    /// ratios. Default: Wilson, Koopman, Newcombe.
    #[arg(long = "ci-method", value_name = "NAME")]
    pub ci_method: Vec<String>,
    /// Two-sided confidence level, strictly between 0 and 1.
    #[arg(long, default_value = "0.95", value_name = "LEVEL", allow_hyphen_values = true)]
    pub level: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl AeArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let render = |r: &trialstat::analysis::Report, format: Format| render_with(r, format, cells);
        let AeArgs { file, subjects, subjects_where, filter, arms, subject, arm, ae_subject, soc, term, teae, serious, severity, rows, min_percent, strata, ci_method, level, format, arm_order, term_case } = self;
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
            arm_order,
            term_case: match term_case {
                TermCaseArg::AsCoded => trialstat::analysis::TermCase::AsCoded,
                TermCaseArg::Sentence => trialstat::analysis::TermCase::Sentence,
                TermCaseArg::Title => trialstat::analysis::TermCase::Title,
            },
        };
        Ok(render(&ae_table(&ae, &subj, &spec)?, format))
    }
}
