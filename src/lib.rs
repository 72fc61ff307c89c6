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

pub mod analysis;
pub mod claims;
pub mod data;
pub mod error;
pub mod fmt;
pub mod ingest;
pub mod input;
pub mod par;
pub mod plot;
pub mod progress;
pub mod render;
pub mod report;
pub mod stats;

pub use error::{Error, Result};
