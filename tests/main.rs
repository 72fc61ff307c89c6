//! Every integration test in one binary (`autotests = false` in Cargo.toml): `cargo test`
//! compiles and links the crate once for all of them, not once per file. One module per
//! former test file; `common` holds the shared helpers.

mod common;

mod bad_input;
mod check;
mod cli;
mod golden_ae;
mod golden_ancova;
mod golden_baseline;
mod golden_bootstrap;
mod golden_change;
mod golden_continuous;
mod golden_descriptive;
mod golden_exact;
mod golden_incidence;
mod golden_meta;
mod golden_meta_more;
mod golden_meta_cli;
mod golden_ingest;
mod golden_long_responders;
mod golden_proportion;
mod golden_rank;
mod golden_rates;
mod golden_se;
mod golden_cox;
mod golden_survival;
mod golden_survival_cli;
mod golden_responders;
mod golden_stratified;
mod golden_two_by_two;
mod ingest_robustness;
mod plots;
mod readme;
mod report;
mod robustness;
