//! # trialstat
//!
//! Clinical-trial statistics with the numbers R and SciPy print: proportions, risk, odds and rate
//! ratios, risk differences and NNT, stratified (Mantel–Haenszel) analyses, effect sizes for
//! continuous outcomes, rank tests, ANCOVA and bootstrap intervals.
//!
//! Data flows one way:
//! `data` (typed, validated inputs) → [`stats`] (pure estimators returning [`stats::Estimate`])
//! → `render` (text, JSON, CSV, Markdown) → the `trialstat` command line.
//!
//! The default feature `cli` brings the file reader (`ingest`), analyses of trial files,
//! reports, plots, claims and the command line. `trialstat = { version = "…",
//! default-features = false }` is the estimators alone (`data`, `stats`, `fmt`, `par`,
//! `error`), with statrs, serde and thiserror as its only dependencies.
//!
//! ```
//! use trialstat::data::{BinomialCount, TwoByTwo};
//! use trialstat::stats::{two_by_two, Measure, Method};
//!
//! // GI adverse events: 7/1000 on acupuncture vs 124/1000 on celecoxib.
//! let t = TwoByTwo::new(BinomialCount::new(7, 1000)?, BinomialCount::new(124, 1000)?);
//! let rr = two_by_two::risk_ratio(&t, Method::Koopman, 0.95)?;
//! assert_eq!(rr.measure, Measure::RiskRatio);
//! assert!((rr.estimate.unwrap() - 7.0 / 124.0).abs() < 1e-15);
//! let ci = rr.ci.unwrap();
//! assert!(ci.lower > 0.02 && ci.upper < 0.12 && ci.level == 0.95);
//! # Ok::<(), trialstat::Error>(())
//! ```

#[cfg(feature = "cli")]
pub mod analysis;
#[cfg(feature = "cli")]
pub mod claims;
pub mod data;
pub mod error;
pub mod fmt;
#[cfg(feature = "cli")]
pub mod ingest;
#[cfg(feature = "cli")]
pub mod input;
pub mod par;
#[cfg(feature = "cli")]
pub mod plot;
#[cfg(feature = "cli")]
pub mod progress;
#[cfg(feature = "cli")]
pub mod render;
#[cfg(feature = "cli")]
pub mod report;
pub mod stats;

pub use error::{Error, Result};
