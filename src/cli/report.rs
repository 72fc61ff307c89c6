//! `trialstat report`: its arguments and their conversion to the library request.

use super::*;

/// Run a study spec into a folder of tables (CSV, JSON, Markdown), plots (SVG, PNG),
/// index.html and manifest.json. With no SPEC, the bundled headache-trial study.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The study spec (TOML); default: the bundled headache-trial study.
    pub spec: Option<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "trialstat-report")]
    pub out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
}

impl ReportArgs {
    pub fn run(self, cells: CsvCells) -> Result<String, Error> {
        let csv_raw = cells == CsvCells::Raw;
        let ReportArgs { spec, out, force } = self;
        let outputs = match &spec {
            Some(p) => trialstat::report::run_file(p, &out, force, csv_raw)?,
            None => trialstat::report::run_default(&out, force, csv_raw)?,
        };
        let tables = outputs.iter().filter(|o| o.path.starts_with("tables/")).count();
        let plots = outputs.iter().filter(|o| o.path.starts_with("plots/")).count();
        Ok(format!("trialstat report: {} written ({} table files, {} plot files, index.html, manifest.json)\nopen {}\n", out.display(), tables, plots, out.join("index.html").display()))
    }
}
