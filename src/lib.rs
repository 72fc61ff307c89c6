//! # trialstat
//!
//! Clinical-trial statistics with the numbers R and SciPy print: proportions, risk, odds and rate
//! ratios, risk differences and NNT, stratified (Mantel–Haenszel) analyses, effect sizes for
//! continuous outcomes, rank tests, ANCOVA and bootstrap intervals.
//!
//! Data flows one way:
//! `data` (typed, validated inputs) → [`stats`] (pure estimators returning [`stats::Estimate`])
//! → `render` (text, JSON, CSV, Markdown) → the `trialstat` command line.

pub mod analysis;
pub mod data;
pub mod error;
pub mod fmt;
pub mod ingest;
pub mod render;
pub mod stats;

pub use error::{Error, Result};
