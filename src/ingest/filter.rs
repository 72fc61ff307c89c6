//! Row filters written as analysts write them: `SAFFL = 'Y'`, `AGE >= 65`,
//! `SAFFL = 'Y' and TRTEMFL = 'Y'`.
//!
//! Grammar: conditions joined by `and` (any case); a condition is `COLUMN OP VALUE` with OP one of
//! `=`, `==`, `!=`, `<`, `<=`, `>`, `>=`; VALUE is a quoted text (`'Y'` or `"Y"`, compared as
//! text) or a number (compared numerically; a cell that is not a number does not match). A row
//! with a missing value in a tested column does not match (as in R, dplyr and SQL), so
//! `DTYPE != 'LOCF'` drops rows whose DTYPE is empty; test for missing cells explicitly with
//! `COLUMN is missing` or `COLUMN is not missing` (ADaM's observed rows: `DTYPE is missing`).

use crate::error::{Error, Result};
use super::reader::{Column, Num, Numbers, Table};

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub op: String,
    pub value: Value,
}

/// A condition's right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    /// `COLUMN is missing` (op `is`) / `COLUMN is not missing` (op `is not`).
    Missing,
}

/// A parsed `--where` filter.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFilter {
    pub text: String,
    pub conditions: Vec<Condition>,
}

const FORM: &str = "conditions COLUMN OP VALUE (or COLUMN is missing, COLUMN is not missing) joined by 'and', with OP one of = != < <= > >= and VALUE a quoted text or a number, e.g. SAFFL = 'Y' and AGE >= 65";

impl RowFilter {
    /// Parse `text`, checking every column against the file's `columns` (`file` names it in
    /// errors, which list the columns and the closest name).
    pub fn parse(text: &str, file: &str, columns: &[String]) -> Result<RowFilter> {
        let bad = |why: String| Error::invalid("--where", format!("\"{text}\""), format!("{why}; expected {FORM}"));
        let mut conditions = Vec::new();
        for part in split_and(text) {
            let part = part.trim();
            if part.is_empty() {
                return Err(bad("an empty condition".into()));
            }
            let lower = part.to_ascii_lowercase();
            if let Some((col_part, op)) = [(" is not missing", "is not"), (" is missing", "is")]
                .iter()
                .find_map(|(suffix, op)| lower.ends_with(suffix).then(|| (&part[..part.len() - suffix.len()], *op)))
            {
                let column = col_part.trim().trim_matches('`');
                if column.is_empty() {
                    return Err(bad(format!("'{part}' needs a column")));
                }
                let column = super::layout::require_column(file, "--where column", column, columns)?;
                conditions.push(Condition { column, op: op.to_string(), value: Value::Missing });
                continue;
            }
            let ops = ["==", "!=", "<=", ">=", "=", "<", ">"];
            let (pos, op) = ops
                .iter()
                .filter_map(|op| outside_quotes_find(part, op).map(|p| (p, *op)))
                .min_by_key(|(p, op)| (*p, std::cmp::Reverse(op.len())))
                .ok_or_else(|| bad(format!("no comparison in '{part}'")))?;
            let column = part[..pos].trim().trim_matches('`').to_string();
            let raw = part[pos + op.len()..].trim();
            if column.is_empty() || raw.is_empty() {
                return Err(bad(format!("'{part}' needs a column and a value")));
            }
            let column = super::layout::require_column(file, "--where column", &column, columns)?;
            let value = if let Some(t) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).or_else(|| raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))) {
                Value::Text(t.to_string())
            } else {
                match raw.parse::<f64>() {
                    Ok(x) if x.is_finite() => Value::Number(x),
                    _ => return Err(bad(format!("the value {raw} is neither a quoted text nor a number (quote text: '{raw}')"))),
                }
            };
            if matches!(value, Value::Text(_)) && !matches!(op, "=" | "==" | "!=") {
                return Err(bad(format!("'{op}' compares numbers; text can only be compared with = or !=")));
            }
            let op = if op == "==" { "=" } else { op };
            conditions.push(Condition { column, op: op.to_string(), value });
        }
        Ok(RowFilter { text: text.to_string(), conditions })
    }

    /// Columns the filter reads as text, and as numbers.
    pub fn columns(&self) -> (Vec<String>, Vec<String>) {
        let (num, text): (Vec<&Condition>, Vec<&Condition>) = self.conditions.iter().partition(|c| matches!(c.value, Value::Number(_)));
        (text.iter().map(|c| c.column.clone()).collect(), num.iter().map(|c| c.column.clone()).collect())
    }

    /// Each condition as a test of a row of `t`; a row matches when every test holds.
    pub fn row_tests<'t>(&self, t: &'t Table) -> Result<Vec<RowTest<'t>>> {
        self.conditions
            .iter()
            .map(|c| match &c.value {
                Value::Number(v) => Ok(RowTest::Number(super::table::numbers(t, &c.column)?, c.op.clone(), *v)),
                _ => {
                    let col = super::table::column(t, &c.column)?;
                    Ok(RowTest::Codes(col, (0..col.distinct() as u32).map(|k| c.matches(k, col)).collect()))
                }
            })
            .collect()
    }
}

/// One condition of a filter, ready to test rows: by the code of a text cell, or on a number.
pub enum RowTest<'t> {
    /// `matches[code]`.
    Codes(&'t Column, Vec<bool>),
    /// A numeric comparison; a cell that is not a number does not match.
    Number(Numbers<'t>, String, f64),
}

impl RowTest<'_> {
    #[inline]
    pub fn matches(&self, row: usize) -> bool {
        match self {
            RowTest::Codes(c, ok) => ok[c.code(row) as usize],
            RowTest::Number(n, op, v) => match n.get(row).0 {
                Num::Value(x) => compare(x, op, *v),
                _ => false,
            },
        }
    }
}

fn compare(x: f64, op: &str, v: f64) -> bool {
    match op {
        "=" => x == v,
        "!=" => x != v,
        "<" => x < v,
        "<=" => x <= v,
        ">" => x > v,
        _ => x >= v,
    }
}

impl Condition {
    /// Whether a text cell with code `k` of `col` matches (text and missing tests). A missing
    /// cell matches only `is missing`.
    fn matches(&self, k: u32, col: &Column) -> bool {
        match &self.value {
            Value::Missing => (k == 0) == (self.op == "is"),
            _ if k == 0 => false,
            Value::Text(t) => (col.entry(k) == t) == (self.op == "="),
            Value::Number(v) => match col.numbers()[k as usize] {
                Num::Value(x) => compare(x, &self.op, *v),
                _ => false,
            },
        }
    }
}

/// Split on the word `and` (any case) outside quotes.
fn split_and(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None => {
                let word: String = chars[i..].iter().take(3).collect();
                let prev_space = i == 0 || chars[i - 1].is_whitespace();
                let next_space = chars.get(i + 3).is_none_or(|c| c.is_whitespace());
                if prev_space && next_space && word.eq_ignore_ascii_case("and") {
                    parts.push(std::mem::take(&mut cur));
                    i += 3;
                    continue;
                }
            }
        }
        cur.push(ch);
        i += 1;
    }
    parts.push(cur);
    parts
}

/// Byte position of `pat` in `s` outside quotes.
fn outside_quotes_find(s: &str, pat: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, ch) in s.char_indices() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if s[i..].starts_with(pat) => return Some(i),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<String> {
        ["USUBJID", "SAFFL", "AGE", "TRT01A"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn missing_tests() {
        let f = RowFilter::parse("SAFFL is missing and AGE IS NOT MISSING", "adsl.csv", &cols()).unwrap();
        assert_eq!(f.conditions[0], Condition { column: "SAFFL".into(), op: "is".into(), value: Value::Missing });
        assert_eq!(f.conditions[1], Condition { column: "AGE".into(), op: "is not".into(), value: Value::Missing });
        let e = RowFilter::parse("SAFL is missing", "adsl.csv", &cols()).unwrap_err().to_string();
        assert!(e.contains("did you mean 'SAFFL'"), "{e}");
    }

    #[test]
    fn parses_conditions() {
        let f = RowFilter::parse("SAFFL = 'Y' and AGE >= 65 AND TRT01A != \"Placebo and more\"", "adsl.csv", &cols()).unwrap();
        assert_eq!(f.conditions.len(), 3);
        assert_eq!(f.conditions[0], Condition { column: "SAFFL".into(), op: "=".into(), value: Value::Text("Y".into()) });
        assert_eq!(f.conditions[1], Condition { column: "AGE".into(), op: ">=".into(), value: Value::Number(65.0) });
        assert_eq!(f.conditions[2].value, Value::Text("Placebo and more".into()));
        let f = RowFilter::parse("saffl == 'Y'", "adsl.csv", &cols()).unwrap();
        assert_eq!(f.conditions[0].column, "SAFFL");
    }

    #[test]
    fn rejects_malformed_filters() {
        for (t, frag) in [
            ("SAFFL", "no comparison"),
            ("SAFFL = Y", "neither a quoted text nor a number"),
            ("SAFFL > 'Y'", "text can only be compared"),
            ("SAFFL = 'Y' and", "an empty condition"),
            ("= 'Y'", "needs a column"),
        ] {
            let e = RowFilter::parse(t, "adsl.csv", &cols()).unwrap_err().to_string();
            assert!(e.contains(frag) && e.starts_with("--where = "), "{t}: {e}");
        }
        let e = RowFilter::parse("SAFL = 'Y'", "adsl.csv", &cols()).unwrap_err().to_string();
        assert!(e.contains("adsl.csv: --where column 'SAFL': no such column (did you mean 'SAFFL'?)"), "{e}");
    }
}
