//! The library's typed errors. The CLI adds context (argument, file, line) at its edge.

use crate::stats::{Measure, Method};

/// Everything that can go wrong inside the library.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An input value is outside what the computation accepts (`events > n`, `sd < 0`, a level
    /// outside (0, 1), ...). `what` names the input, `value` shows it, `expected` says what would
    /// be accepted.
    #[error("{what} = {value}: {expected}")]
    InvalidInput { what: String, value: String, expected: String },

    /// The method does not apply to the measure (e.g. Wilson for a risk ratio).
    #[error("method '{method}' does not apply to {measure}; available: {available}")]
    MethodNotApplicable { measure: Measure, method: Method, available: String },

    /// The quantity is not defined for these data (e.g. a t test with n = 1, a variance of zero).
    #[error("{measure} ({method}) is undefined: {reason}")]
    Undefined { measure: Measure, method: Method, reason: String },

    /// A file could not be used as a whole: missing, unreadable, or without a required column.
    /// Reported as a usage error (the command cannot run as asked).
    #[error("{file}: {message}")]
    File { file: String, message: String },

    /// A value inside a file is invalid. `line` is the 1-based line of the file (the header is
    /// line 1); 0 when the problem is not one line's (e.g. an arm with no usable subject), and
    /// then no line is printed.
    #[error("{}", data_message(file, *line, column, value, message))]
    Data { file: String, line: u64, column: String, value: String, message: String },

    /// A plot could not be drawn (no data, a value that cannot be placed on its axis).
    #[error("{plot} plot: {message}")]
    Plot { plot: String, message: String },

    /// An iterative computation failed to converge.
    #[error("{what} did not converge: {detail}")]
    NoConvergence { what: String, detail: String },
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(what: impl Into<String>, value: impl std::fmt::Display, expected: impl Into<String>) -> Self {
        Error::InvalidInput { what: what.into(), value: value.to_string(), expected: expected.into() }
    }

    /// Shorthand for [`Error::MethodNotApplicable`], listing the measure's methods.
    pub fn not_applicable(measure: Measure, method: Method) -> Self {
        let available = measure.methods().iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
        Error::MethodNotApplicable { measure, method, available }
    }

    /// Shorthand for [`Error::Undefined`].
    pub fn undefined(measure: Measure, method: Method, reason: impl Into<String>) -> Self {
        Error::Undefined { measure, method, reason: reason.into() }
    }
}

fn data_message(file: &str, line: u64, column: &str, value: &str, message: &str) -> String {
    if line == 0 {
        format!("{file}: column '{column}' = '{value}': {message}")
    } else {
        format!("{file}:{line}: column '{column}' = '{value}': {message}")
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
