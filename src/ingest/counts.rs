//! Parsing counts as papers print them.
//!
//! | form | meaning |
//! |---|---|
//! | `7/1000` | 7 events among 1000 subjects |
//! | `0.7%/1000` | 0.7 % of 1000 subjects: 7 events (rounded to the nearest whole event, with a note when rounding was needed) |
//! | `12/100000` (rates) | 12 events over 100000 person-time units; person-time may be fractional or written `1e5` |
//! | `16.2,13.7,161` | mean, SD, n |
//!
//! Whole numbers may be written in scientific notation when they are exact (`1e5`); every count
//! must be at most 2^53 so that it is exact as a double.

use crate::data::{BinomialCount, GroupSummary, PersonTime, MAX_EXACT_COUNT};
use crate::error::{Error, Result};

/// A parsed count with what was assumed while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCount {
    pub count: BinomialCount,
    /// E.g. "0.7% of 412 = 2.884, rounded to 3 events".
    pub note: Option<String>,
}

const COUNT_FORM: &str = "EVENTS/N with whole numbers, events <= N, N >= 1 (e.g. 7/1000), or PERCENT%/N (e.g. 0.7%/1000)";

/// Parse `EVENTS/N` or `PERCENT%/N`; `what` names the argument in errors.
pub fn parse_count(what: &str, text: &str) -> Result<ParsedCount> {
    let s = text.trim();
    let (lhs, rhs) = s.split_once('/').ok_or_else(|| Error::invalid(what, quote(text), COUNT_FORM))?;
    let n = parse_whole(rhs.trim()).map_err(|why| Error::invalid(what, quote(text), format!("{why} in N; expected {COUNT_FORM}")))?;
    if n == 0 {
        return Err(Error::invalid(what, quote(text), format!("N must be at least 1; expected {COUNT_FORM}")));
    }
    let lhs = lhs.trim();
    let (events, note) = if let Some(pct) = lhs.strip_suffix('%') {
        let p: f64 = pct.trim().parse().map_err(|_| Error::invalid(what, quote(text), format!("'{pct}' is not a percentage; expected {COUNT_FORM}")))?;
        if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
            return Err(Error::invalid(what, quote(text), format!("a percentage between 0 and 100; expected {COUNT_FORM}")));
        }
        let exact = p / 100.0 * n as f64;
        let rounded = exact.round();
        let note = if (exact - rounded).abs() > 1e-9 * exact.max(1.0) {
            Some(format!("{pct}% of {n} = {}, rounded to {} events", trim_float(exact), rounded as u64))
        } else {
            Some(format!("{pct}% of {n} = {} events", rounded as u64))
        };
        (rounded as u64, note)
    } else {
        let e = parse_whole(lhs).map_err(|why| Error::invalid(what, quote(text), format!("{why} in EVENTS; expected {COUNT_FORM}")))?;
        (e, None)
    };
    if events > n {
        return Err(Error::invalid(what, quote(text), format!("events ({events}) exceed N ({n}); expected {COUNT_FORM}")));
    }
    let count = BinomialCount::new(events, n).map_err(|e| Error::invalid(what, quote(text), e.to_string()))?;
    Ok(ParsedCount { count, note })
}

const RATE_FORM: &str = "EVENTS/PERSON-TIME with whole events and person-time > 0 (e.g. 12/100000 or 12/1e5)";

/// Parse `EVENTS/PERSON-TIME`.
pub fn parse_person_time(what: &str, text: &str) -> Result<PersonTime> {
    let s = text.trim();
    let (lhs, rhs) = s.split_once('/').ok_or_else(|| Error::invalid(what, quote(text), RATE_FORM))?;
    let events = parse_whole(lhs.trim()).map_err(|why| Error::invalid(what, quote(text), format!("{why} in EVENTS; expected {RATE_FORM}")))?;
    let time: f64 = rhs.trim().parse().map_err(|_| Error::invalid(what, quote(text), format!("'{}' is not a number; expected {RATE_FORM}", rhs.trim())))?;
    if !(time.is_finite() && time > 0.0) {
        return Err(Error::invalid(what, quote(text), format!("person-time must be a finite number above 0; expected {RATE_FORM}")));
    }
    PersonTime::new(events, time).map_err(|e| Error::invalid(what, quote(text), e.to_string()))
}

const SUMMARY_FORM: &str = "MEAN,SD,N with SD >= 0 and whole N >= 1 (e.g. 16.2,13.7,161)";

/// Parse `MEAN,SD,N`.
pub fn parse_summary(what: &str, text: &str) -> Result<GroupSummary> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != 3 {
        return Err(Error::invalid(what, quote(text), format!("three comma-separated values; expected {SUMMARY_FORM}")));
    }
    let num = |s: &str, name: &str| -> Result<f64> {
        let v: f64 = s.parse().map_err(|_| Error::invalid(what, quote(text), format!("{name} '{s}' is not a number; expected {SUMMARY_FORM}")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::invalid(what, quote(text), format!("{name} '{s}' is not finite; expected {SUMMARY_FORM}")))
        }
    };
    let mean = num(parts[0], "MEAN")?;
    let sd = num(parts[1], "SD")?;
    let n = parse_whole(parts[2]).map_err(|why| Error::invalid(what, quote(text), format!("{why} in N; expected {SUMMARY_FORM}")))?;
    GroupSummary::new(mean, sd, n).map_err(|e| Error::invalid(what, quote(text), format!("{e}; expected {SUMMARY_FORM}")))
}

/// A non-negative whole number, also in exact scientific notation (`1e5`), at most 2^53.
pub fn parse_whole(s: &str) -> std::result::Result<u64, String> {
    if s.is_empty() {
        return Err("a number is missing".into());
    }
    if s.starts_with('-') {
        return Err(format!("'{s}' is negative"));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.parse::<u64>() {
            Ok(v) if v <= MAX_EXACT_COUNT => Ok(v),
            _ => Err(format!("'{s}' is above 2^53 = 9007199254740992")),
        };
    }
    let v: f64 = s.parse().map_err(|_| format!("'{s}' is not a whole number"))?;
    // `NaN`, `inf`, `infinity` parse as floats but are no count; `1e400` is a number too large.
    if v.is_nan() || !s.bytes().any(|b| b.is_ascii_digit()) {
        return Err(format!("'{s}' is not a whole number"));
    }
    if !v.is_finite() || v > MAX_EXACT_COUNT as f64 {
        return Err(format!("'{s}' is above 2^53 = 9007199254740992"));
    }
    if v < 0.0 {
        return Err(format!("'{s}' is negative"));
    }
    if v.fract() != 0.0 {
        return Err(format!("'{s}' is not a whole number"));
    }
    Ok(v as u64)
}

fn quote(s: &str) -> String {
    format!("'{s}'")
}

fn trim_float(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        let c = parse_count("treated", "7/1000").unwrap();
        assert_eq!((c.count.events, c.count.n), (7, 1000));
        assert_eq!(c.note, None);
        let c = parse_count("treated", "0.7%/1000").unwrap();
        assert_eq!(c.count.events, 7);
        let c = parse_count("treated", "0.7%/412").unwrap();
        assert_eq!(c.count.events, 3);
        assert!(c.note.unwrap().contains("rounded to 3"));
        let c = parse_count("n", "0/1e5").unwrap();
        assert_eq!(c.count.n, 100_000);
        let big = parse_count("x", "9007199254740992/9007199254740992").unwrap();
        assert_eq!(big.count.n, 1 << 53);
    }

    #[test]
    fn bad_counts() {
        for (s, frag) in [
            ("7/0", "at least 1"),
            ("8/5", "exceed N"),
            ("-1/10", "negative"),
            ("abc", "EVENTS/N"),
            ("1e400/10", "above 2^53"),
            ("1.5/10", "not a whole number"),
            ("9007199254740993/9007199254740993", "above 2^53"),
            ("101%/10", "between 0 and 100"),
        ] {
            let e = parse_count("treated", s).unwrap_err().to_string();
            assert!(e.contains(frag), "{s}: {e}");
            assert!(e.starts_with("treated = '"), "{s}: {e}");
        }
    }

    #[test]
    fn rates_and_summaries() {
        let r = parse_person_time("treated", "12/1e5").unwrap();
        assert_eq!((r.events, r.time), (12, 100000.0));
        assert!(parse_person_time("t", "3/0").unwrap_err().to_string().contains("above 0"));
        let g = parse_summary("treated", "16.2, 13.7, 161").unwrap();
        assert_eq!((g.mean, g.sd, g.n), (16.2, 13.7, 161));
        assert!(parse_summary("t", "1,2").unwrap_err().to_string().contains("three"));
        assert!(parse_summary("t", "1,-2,3").unwrap_err().to_string().contains("SD"));
        assert!(parse_summary("t", "1,2,0").unwrap_err().to_string().contains("n = 0"));
    }
}
