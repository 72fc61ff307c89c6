//! Typed inputs to the statistics: counts, 2×2 tables, strata, person-time, group summaries.
//!
//! Constructors validate, so an estimator never sees `events > n` or a negative SD. Counts are
//! `u64` and are used as `f64` inside the formulas: counts up to 2^53 are exact.

use crate::error::{Error, Result};
use serde::Serialize;

/// Largest count represented exactly as an `f64` (2^53).
pub const MAX_EXACT_COUNT: u64 = 1 << 53;

/// `events` out of `n` (a binomial count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BinomialCount {
    pub events: u64,
    pub n: u64,
}

impl BinomialCount {
    /// Validated: `n >= 1`, `events <= n`, `n <= 2^53`.
    pub fn new(events: u64, n: u64) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid("n", n, "a denominator of at least 1"));
        }
        if n > MAX_EXACT_COUNT {
            return Err(Error::invalid("n", n, "at most 2^53 = 9007199254740992"));
        }
        if events > n {
            return Err(Error::invalid("events", format!("{events}/{n}"), "events no larger than the denominator"));
        }
        Ok(BinomialCount { events, n })
    }

    /// events / n.
    pub fn proportion(&self) -> f64 {
        self.events as f64 / self.n as f64
    }

    /// n − events.
    pub fn non_events(&self) -> u64 {
        self.n - self.events
    }
}

/// Two independent binomial groups: `treated` (exposed) against `control`.
///
/// In the usual cell notation `a = treated.events`, `b = treated.n − a`, `c = control.events`,
/// `d = control.n − c`; every ratio and difference is treated versus control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TwoByTwo {
    pub treated: BinomialCount,
    pub control: BinomialCount,
}

impl TwoByTwo {
    pub fn new(treated: BinomialCount, control: BinomialCount) -> Self {
        TwoByTwo { treated, control }
    }

    /// From the four cells a, b, c, d (treated events, treated non-events, control events,
    /// control non-events).
    pub fn from_cells(a: u64, b: u64, c: u64, d: u64) -> Result<Self> {
        Ok(TwoByTwo {
            treated: BinomialCount::new(a, a.checked_add(b).ok_or_else(|| Error::invalid("a + b", "overflow", "counts below 2^53"))?)?,
            control: BinomialCount::new(c, c.checked_add(d).ok_or_else(|| Error::invalid("c + d", "overflow", "counts below 2^53"))?)?,
        })
    }

    /// Cells (a, b, c, d) as floats.
    pub fn cells(&self) -> (f64, f64, f64, f64) {
        (
            self.treated.events as f64,
            self.treated.non_events() as f64,
            self.control.events as f64,
            self.control.non_events() as f64,
        )
    }

    /// Does any of the four cells hold zero?
    pub fn has_zero_cell(&self) -> bool {
        let (a, b, c, d) = self.cells();
        a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0
    }
}

/// One stratum of a stratified 2×2 analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stratum {
    pub label: String,
    pub table: TwoByTwo,
}

/// Events over person-time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PersonTime {
    pub events: u64,
    pub time: f64,
}

impl PersonTime {
    /// Validated: finite `time > 0`, `events <= 2^53`.
    pub fn new(events: u64, time: f64) -> Result<Self> {
        if !(time.is_finite() && time > 0.0) {
            return Err(Error::invalid("person-time", time, "a finite person-time greater than 0"));
        }
        if events > MAX_EXACT_COUNT {
            return Err(Error::invalid("events", events, "at most 2^53"));
        }
        Ok(PersonTime { events, time })
    }

    /// events / time.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.time
    }
}

/// A group as papers print it: mean, SD and n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupSummary {
    pub mean: f64,
    pub sd: f64,
    pub n: u64,
}

impl GroupSummary {
    /// Validated: finite mean, finite `sd >= 0`, `1 <= n <= 2^53` (so that group sizes add up
    /// without overflow and stay exact as doubles).
    pub fn new(mean: f64, sd: f64, n: u64) -> Result<Self> {
        if n > MAX_EXACT_COUNT {
            return Err(Error::invalid("n", n, "at most 2^53 = 9007199254740992"));
        }
        if !mean.is_finite() {
            return Err(Error::invalid("mean", mean, "a finite number"));
        }
        if !(sd.is_finite() && sd >= 0.0) {
            return Err(Error::invalid("SD", sd, "a finite number of at least 0"));
        }
        if n == 0 {
            return Err(Error::invalid("n", n, "at least 1"));
        }
        Ok(GroupSummary { mean, sd, n })
    }

    /// Mean, sample SD (n − 1 denominator) and n of raw values; rejects non-finite values.
    pub fn from_values(values: &[f64]) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::invalid("values", "[]", "at least one value"));
        }
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::invalid(format!("value #{}", i + 1), v, "a finite number"));
        }
        let (mean, sd) = crate::stats::dist::mean_sd(values);
        GroupSummary::new(mean, sd.unwrap_or(0.0), values.len() as u64)
    }
}

/// Validate a two-sided confidence level: it must lie strictly inside (0, 1).
pub fn check_level(level: f64) -> Result<f64> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(Error::invalid("level", level, "a confidence level strictly between 0 and 1, e.g. 0.95"))
    }
}

/// A unit of time, for time-to-event and person-time columns. Conversions use the Julian year:
/// 1 week = 7 days, 1 year = 365.25 days, 1 month = 365.25/12 = 30.4375 days (the convention
/// of R's `lubridate` durations and of most CSRs that report months from days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 4] = [TimeUnit::Days, TimeUnit::Weeks, TimeUnit::Months, TimeUnit::Years];

    /// The unit's name as written in flags and output (`days`).
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
            TimeUnit::Months => "months",
            TimeUnit::Years => "years",
        }
    }

    /// The singular (`day`), for "per 100 person-years" style labels.
    pub fn singular(self) -> &'static str {
        let n = self.name();
        &n[..n.len() - 1]
    }

    /// Length in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
            TimeUnit::Months => 365.25 / 12.0,
            TimeUnit::Years => 365.25,
        }
    }

    /// A unit from its name: days, weeks, months, years (singular, or d/w/m/y, any case).
    pub fn parse(what: &str, s: &str) -> Result<TimeUnit> {
        let t = s.trim().to_ascii_lowercase();
        let unit = match t.as_str() {
            "days" | "day" | "d" => TimeUnit::Days,
            "weeks" | "week" | "w" | "wk" | "wks" => TimeUnit::Weeks,
            "months" | "month" | "m" | "mo" => TimeUnit::Months,
            "years" | "year" | "y" | "yr" | "yrs" => TimeUnit::Years,
            _ => return Err(Error::invalid(what, format!("'{s}'"), "a time unit: days, weeks, months or years")),
        };
        Ok(unit)
    }

    /// The factor that converts a time in `self` into `to` (days → years: 1/365.25).
    pub fn factor_to(self, to: TimeUnit) -> f64 {
        if self == to {
            1.0
        } else {
            self.days() / to.days()
        }
    }
}
