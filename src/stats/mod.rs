//! Pure statistics on numbers: no I/O, no data frames. One concept a module; each estimator
//! returns an [`Estimate`] (see [`result`]).
//!
//! | module | what |
//! |---|---|
//! | [`dist`] | distribution functions, quantiles, compensated sums |
//! | [`root`] | Brent root finding for CI inversion |
//! | [`result`] | `Estimate`, `Ci`, `Measure`, `Method` |

pub mod dist;
pub mod result;
pub mod root;

pub use result::{Ci, Estimate, Measure, Method};
