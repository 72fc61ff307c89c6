//! `trialstat check`: its arguments and their conversion to the library request.

use super::*;

/// Check cited figures: each claim of CLAIMS.toml computed and compared with its tolerance.
/// Exit status 1 when a claim does not reproduce.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The claims file (TOML).
    pub file: PathBuf,
    /// Also write JUnit XML (one test case per claim) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
