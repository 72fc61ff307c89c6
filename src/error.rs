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

    /// Invalid rows or values of one file, all found in one pass: at most
    /// `ingest::reader::MAX_PROBLEMS` listed, `more` counted. Exit status as
    /// [`Error::Data`].
    #[error("{}", problems_message(file, problems, *more))]
    Problems { file: String, problems: Vec<Problem>, more: u64 },

    /// An error placed in a spec or claims file (`study.toml:12: analysis 'x': ...`). Its kind,
    /// and so the exit status, is the inner error's ([`Error::root`]).
    #[error("{message}")]
    Context { message: String, inner: Box<Error> },

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

    /// The error under any [`Error::Context`]: what decides the exit status.
    pub fn root(&self) -> &Error {
        match self {
            Error::Context { inner, .. } => inner.root(),
            e => e,
        }
    }

    /// Shorthand for [`Error::Undefined`].
    pub fn undefined(measure: Measure, method: Method, reason: impl Into<String>) -> Self {
        Error::Undefined { measure, method, reason: reason.into() }
    }
}

/// One invalid row or value of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// 1-based file line (the header is line 1).
    pub line: u64,
    /// The column, when the problem is one cell's.
    pub column: Option<String>,
    /// The cell (or the row) as written; quoted with [`crate::fmt::quote_value`].
    pub value: Option<String>,
    pub message: String,
}

impl Problem {
    /// `FILE:LINE: column 'C' = 'V': MESSAGE`, or `FILE:LINE: 'ROW': MESSAGE` for a row.
    pub fn render(&self, file: &str) -> String {
        let at = if self.line == 0 { file.to_string() } else { format!("{file}:{}", self.line) };
        let value = self.value.as_deref().map(crate::fmt::quote_value);
        match (&self.column, value) {
            (Some(c), Some(v)) => format!("{at}: column '{c}' = '{v}': {}", self.message),
            (Some(c), None) => format!("{at}: column '{c}': {}", self.message),
            (None, Some(v)) => format!("{at}: row '{v}': {}", self.message),
            (None, None) => format!("{at}: {}", self.message),
        }
    }
}

fn problems_message(file: &str, problems: &[Problem], more: u64) -> String {
    if problems.len() == 1 && more == 0 {
        return problems[0].render(file);
    }
    let total = problems.len() as u64 + more;
    let mut out = format!("{file}: {total} problems");
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.render(file));
    }
    if more > 0 {
        out.push_str(&format!("\n  ... and {more} more (fix these and run again)"));
    }
    out
}

fn data_message(file: &str, line: u64, column: &str, value: &str, message: &str) -> String {
    Problem { line, column: Some(column.to_string()), value: Some(value.to_string()), message: message.to_string() }.render(file)
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
