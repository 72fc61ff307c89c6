//! Trial CSV files read with polars: a lazy scan (only the columns a query uses are read),
//! delimiter sniffed from the header (comma, semicolon, tab), UTF-8 with or without BOM, CRLF,
//! and missing values written as an empty cell, `NA` or `.`: counted and reported, never dropped
//! silently. Statistics never see polars: queries here return plain counts and vectors.

use super::layout::{detect, Detected, Layout, Overrides};
use crate::error::{Error, Result};
use polars::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Cell texts read as missing values.
pub const NULL_VALUES: [&str; 3] = ["", "NA", "."];

/// A CSV file whose header has been read.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvFile {
    pub path: PathBuf,
    /// The path as the user gave it, for messages.
    pub name: String,
    pub separator: u8,
    pub columns: Vec<String>,
    /// Rows kept (`--where`); `None` keeps every row.
    pub filter: Option<super::filter::RowFilter>,
}

impl CsvFile {
    /// Read the header: the first line (after a UTF-8 BOM), split by the sniffed delimiter with
    /// CSV quoting.
    pub fn open(path: &Path) -> Result<CsvFile> {
        let name = path.display().to_string();
        let file_err = |message: String| Error::File { file: name.clone(), message };
        let bytes = {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|e| file_err(format!("cannot read: {e}")))?;
            let mut buf = vec![0u8; 1 << 16];
            let mut filled = 0;
            // The header line: read until a newline or 64 KiB.
            loop {
                let n = f.read(&mut buf[filled..]).map_err(|e| file_err(format!("cannot read: {e}")))?;
                filled += n;
                if n == 0 || filled == buf.len() || buf[..filled].contains(&b'\n') {
                    break;
                }
            }
            buf.truncate(filled);
            buf
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let line = text.lines().next().unwrap_or("");
        if line.trim().is_empty() {
            return Err(file_err("empty file: no header line".into()));
        }
        let separator = super::strata::sniff_delimiter(line);
        let mut rdr = csv::ReaderBuilder::new().delimiter(separator).has_headers(false).from_reader(line.as_bytes());
        let columns: Vec<String> = match rdr.records().next() {
            Some(Ok(rec)) => rec.iter().map(|s| s.trim().to_string()).collect(),
            _ => return Err(file_err("unreadable header line".into())),
        };
        if let Some(dup) = columns.iter().enumerate().find_map(|(i, c)| columns[..i].contains(c).then_some(c)) {
            return Err(file_err(format!("column '{dup}' appears twice in the header")));
        }
        Ok(CsvFile { path: path.to_path_buf(), name, separator, columns, filter: None })
    }

    /// Keep only the rows matching `text` (see [`super::filter`]); columns are checked now.
    pub fn with_filter(mut self, text: &str) -> Result<CsvFile> {
        self.filter = Some(super::filter::RowFilter::parse(text, &self.name, &self.columns)?);
        Ok(self)
    }

    /// A lazy scan of the rows the filter keeps (nothing is read until a query is collected).
    pub fn scan(&self) -> Result<LazyFrame> {
        let lf = self.scan_all_rows()?;
        Ok(match &self.filter {
            Some(f) => lf.filter(f.expr()),
            None => lf,
        })
    }

    /// A lazy scan of every row, ignoring the filter.
    pub fn scan_all_rows(&self) -> Result<LazyFrame> {
        LazyCsvReader::new(PlRefPath::new(self.path.to_string_lossy().as_ref()))
            .with_separator(self.separator)
            .with_has_header(true)
            .with_null_values(Some(NullValues::AllColumns(NULL_VALUES.iter().map(|s| PlSmallStr::from(*s)).collect())))
            // Every column as text: values keep their spelling ("007", "1.50") for labels, keys and
            // messages; numbers are parsed where a query needs them.
            .with_infer_schema_length(Some(0))
            .finish()
            .map_err(|e| self.polars_error(e))
    }

    fn polars_error(&self, e: PolarsError) -> Error {
        // Say where the file breaks when a row does not fit the header (polars does not).
        if let Some(err) = self.first_malformed_row() {
            return err;
        }
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("").trim();
        Error::File { file: self.name.clone(), message: format!("cannot read as CSV: {first}") }
    }

    /// The first row whose number of fields differs from the header's, or that is not valid
    /// CSV, as an error naming its line; `None` if every row fits.
    pub fn first_malformed_row(&self) -> Option<Error> {
        let mut rdr = csv::ReaderBuilder::new().delimiter(self.separator).has_headers(true).flexible(true).from_path(&self.path).ok()?;
        let width = self.columns.len();
        let mut rec = csv::ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => return None,
                Ok(true) => {
                    if rec.len() != width && !(rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty())) {
                        let line = rec.position().map_or(0, |p| p.line());
                        let sep = char::from(self.separator);
                        return Some(Error::File {
                            file: self.name.clone(),
                            message: format!(
                                "line {line} has {} fields but the header has {width} (delimiter '{}'); check the delimiter, and quote values that contain it",
                                rec.len(),
                                if sep == '\t' { "\\t".to_string() } else { sep.to_string() }
                            ),
                        });
                    }
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Some(Error::File { file: self.name.clone(), message: format!("line {line}: not valid CSV ({e})") });
                }
            }
        }
    }
}

/// One arm (or exposure group) of a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmSummary {
    /// The arm's label as written in the file (`(missing)` for rows without one).
    pub arm: String,
    /// Distinct subjects.
    pub subjects: u64,
    pub rows: u64,
    /// Missing values (empty, NA or .) by column, for the columns that have any in the file.
    pub missing: Vec<(String, u64)>,
}

/// What `trialstat describe` reports about a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Description {
    pub file: String,
    /// The `--where` filter applied, if any.
    pub filter: Option<String>,
    pub layout: Layout,
    pub rows: u64,
    pub columns: Vec<String>,
    pub detected: Detected,
    pub arms: Vec<ArmSummary>,
    /// Distinct visits in order of first appearance (long and BDS layouts), or the wide visit
    /// column families.
    pub visits: Vec<String>,
    /// Distinct parameters in order of first appearance (BDS and long layouts with a parameter
    /// column).
    pub params: Vec<String>,
}

/// Describe a file: layout, arms with their subjects and rows, visits, parameters and the
/// missing values of every column, by arm. One lazy query per question, collected once each.
pub fn describe(file: &CsvFile, overrides: &Overrides) -> Result<Description> {
    let detected = detect(&file.name, &file.columns, overrides)?;
    let roles = &detected.roles;
    let subject = roles.subject.clone().unwrap_or_default();
    let lf = file.scan()?;
    let arm_expr = match &roles.arm {
        Some(a) => col(a.as_str()).cast(DataType::String).fill_null(lit("(missing)")).alias("__arm"),
        None => lit("(all)").alias("__arm"),
    };
    let mut aggs = vec![col(subject.as_str()).n_unique().alias("__subjects"), len().alias("__rows")];
    for c in &file.columns {
        aggs.push(col(c.as_str()).null_count().alias(format!("__missing_{c}")));
    }
    let _progress = crate::progress::reading(&file.path, &file.name);
    let df = lf
        .clone()
        .with_column(arm_expr)
        .group_by_stable([col("__arm")])
        .agg(aggs)
        .sort(["__arm"], SortMultipleOptions::default())
        .collect()
        .map_err(|e| file.polars_error(e))?;
    let get_u64 = |name: &str| -> Result<Vec<u64>> {
        let s = df.column(name).map_err(|e| file.polars_error(e))?;
        let s = s.cast(&DataType::UInt64).map_err(|e| file.polars_error(e))?;
        let ca = s.u64().map_err(|e| file.polars_error(e))?;
        Ok(ca.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let arms_col = df.column("__arm").map_err(|e| file.polars_error(e))?.str().map_err(|e| file.polars_error(e))?.clone();
    let subjects = get_u64("__subjects")?;
    let rows = get_u64("__rows")?;
    let mut missing_by_col: Vec<(String, Vec<u64>)> = Vec::new();
    for c in &file.columns {
        let v = get_u64(&format!("__missing_{c}"))?;
        if v.iter().any(|&m| m > 0) {
            missing_by_col.push((c.clone(), v));
        }
    }
    let arms: Vec<ArmSummary> = arms_col
        .iter()
        .enumerate()
        .map(|(i, a)| ArmSummary {
            arm: a.unwrap_or("(missing)").to_string(),
            subjects: subjects[i],
            rows: rows[i],
            missing: missing_by_col.iter().map(|(c, v)| (c.clone(), v[i])).collect(),
        })
        .collect();
    let distinct = |c: &Option<String>| -> Result<Vec<String>> {
        let Some(c) = c else { return Ok(Vec::new()) };
        let _progress = crate::progress::reading(&file.path, &file.name);
        let df = lf
            .clone()
            .select([col(c.as_str()).cast(DataType::String)])
            .unique_stable(None, UniqueKeepStrategy::First)
            .collect()
            .map_err(|e| file.polars_error(e))?;
        let s = df.column(c.as_str()).map_err(|e| file.polars_error(e))?.str().map_err(|e| file.polars_error(e))?.clone();
        Ok(s.iter().map(|v| v.unwrap_or("(missing)").to_string()).collect())
    };
    let visits = if detected.layout == Layout::Wide {
        detected.visit_columns.iter().map(|(p, cols)| format!("{p}: {}", cols.join(", "))).collect()
    } else {
        distinct(&roles.visit)?
    };
    let params = distinct(&roles.param)?;
    Ok(Description {
        file: file.name.clone(),
        filter: file.filter.as_ref().map(|f| f.text.clone()),
        layout: detected.layout,
        rows: rows.iter().sum(),
        columns: file.columns.clone(),
        detected,
        arms,
        visits,
        params,
    })
}

/// Rows of a one-row-per-subject file as plain typed vectors: the arm label of each row and the
/// numeric columns asked for, with the file line of each row (the header is line 1).
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRows {
    pub arm: Vec<Option<String>>,
    /// One vector per numeric column asked for; `None` = missing (empty, NA or .).
    pub values: Vec<Vec<Option<f64>>>,
    /// One vector per text column asked for; `None` = missing.
    pub text: Vec<Vec<Option<String>>>,
    /// File line of each row, assuming one line per record (no line breaks inside quotes).
    pub line: Vec<u64>,
}

/// Read the arm column, `numeric` columns and `text` columns (a lazy scan of just these
/// columns). A numeric value that is neither missing nor a number is an error naming the file,
/// line, column and value.
pub fn subject_rows(file: &CsvFile, arm: &str, numeric: &[&str], text: &[&str]) -> Result<SubjectRows> {
    let mut exprs = vec![col(arm).cast(DataType::String).alias("__arm")];
    for (k, c) in numeric.iter().enumerate() {
        exprs.push(col(*c).cast(DataType::String).alias(format!("__v{k}")));
    }
    for (k, c) in text.iter().enumerate() {
        exprs.push(col(*c).cast(DataType::String).alias(format!("__t{k}")));
    }
    // The row index is taken before the filter, so that lines stay the file's lines.
    let mut lf = file.scan_all_rows()?.with_row_index("__row", None);
    if let Some(f) = &file.filter {
        lf = lf.filter(f.expr());
    }
    let _progress = crate::progress::reading(&file.path, &file.name);
    let df = lf
        .select([vec![col("__row")], exprs].concat())
        .collect()
        .map_err(|e| file.polars_error(e))?;
    let strings = |name: &str| -> Result<Vec<Option<String>>> {
        let s = df.column(name).map_err(|e| file.polars_error(e))?;
        let ca = s.str().map_err(|e| file.polars_error(e))?;
        Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
    };
    let rows = df.column("__row").map_err(|e| file.polars_error(e))?.cast(&DataType::UInt64).map_err(|e| file.polars_error(e))?;
    let line: Vec<u64> = rows.u64().map_err(|e| file.polars_error(e))?.iter().map(|r| r.unwrap_or(0) + 2).collect();
    let arm_v = strings("__arm")?;
    let mut values = Vec::with_capacity(numeric.len());
    for (k, c) in numeric.iter().enumerate() {
        let raw = strings(&format!("__v{k}"))?;
        let mut out = Vec::with_capacity(raw.len());
        for (i, v) in raw.into_iter().enumerate() {
            out.push(match v {
                None => None,
                Some(s) => match s.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => Some(x),
                    _ => {
                        return Err(Error::Data {
                            file: file.name.clone(),
                            line: line[i],
                            column: (*c).to_string(),
                            value: s,
                            message: "not a number (missing values are written empty, NA or .)".into(),
                        })
                    }
                },
            });
        }
        values.push(out);
    }
    let text = (0..text.len()).map(|k| strings(&format!("__t{k}"))).collect::<Result<Vec<_>>>()?;
    Ok(SubjectRows { arm: arm_v, values, text, line })
}

/// Columns of cells as text; `None` = missing.
pub type TextColumns = Vec<Vec<Option<String>>>;

/// The columns `cols` of the rows the filter keeps (and, if given, `extra` also keeps), every
/// cell as text (`None` = missing), with the file line of each row. A lazy scan of just these
/// columns; the row index is taken before any filter, so lines stay the file's lines.
pub fn text_columns(file: &CsvFile, cols: &[&str], extra: Option<Expr>) -> Result<(Vec<u64>, TextColumns)> {
    let frame = text_frame(file, cols, extra)?;
    let out = (0..cols.len()).map(|k| Ok(frame.column(k)?.into_iter().map(|v| v.map(str::to_string)).collect())).collect::<Result<TextColumns>>()?;
    Ok((frame.lines, out))
}

/// The columns of [`text_frame`]: the polars frame, read once, and the file line of each row.
/// Cells are borrowed from it ([`TextFrame::columns`]), not copied into owned strings: on a
/// 10-million-row AE file that is the difference between gigabytes and the size of the columns.
pub struct TextFrame {
    df: DataFrame,
    file: String,
    /// File line of each row (header = line 1).
    pub lines: Vec<u64>,
}

impl TextFrame {
    /// Column `k` (in the order asked) as borrowed cells; `None` = missing.
    pub fn column(&self, k: usize) -> Result<Vec<Option<&str>>> {
        let err = |e: PolarsError| Error::File { file: self.file.clone(), message: e.to_string() };
        let s = self.df.column(&format!("__c{k}")).map_err(err)?;
        let ca = s.str().map_err(err)?;
        Ok(ca.iter().collect())
    }
}

/// As [`text_columns`], without copying the cells: the frame is kept and its columns borrowed.
pub fn text_frame(file: &CsvFile, cols: &[&str], extra: Option<Expr>) -> Result<TextFrame> {
    let mut lf = file.scan_all_rows()?.with_row_index("__row", None);
    if let Some(f) = &file.filter {
        lf = lf.filter(f.expr());
    }
    if let Some(e) = extra {
        lf = lf.filter(e);
    }
    let mut exprs = vec![col("__row")];
    for (k, c) in cols.iter().enumerate() {
        exprs.push(col(*c).cast(DataType::String).alias(format!("__c{k}")));
    }
    let _progress = crate::progress::reading(&file.path, &file.name);
    let df = lf.select(exprs).collect().map_err(|e| file.polars_error(e))?;
    let rows = df.column("__row").map_err(|e| file.polars_error(e))?.cast(&DataType::UInt64).map_err(|e| file.polars_error(e))?;
    let lines: Vec<u64> = rows.u64().map_err(|e| file.polars_error(e))?.iter().map(|r| r.unwrap_or(0) + 2).collect();
    Ok(TextFrame { df, file: file.name.clone(), lines })
}

/// Parse a numeric cell; a value that is neither missing nor a finite number is an error naming
/// the file, line, column and value.
pub fn parse_number(file: &CsvFile, line: u64, column: &str, cell: Option<&str>) -> Result<Option<f64>> {
    match cell {
        None => Ok(None),
        Some(s) => match s.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(Error::Data {
                file: file.name.clone(),
                line,
                column: column.to_string(),
                value: s.to_string(),
                message: "not a number (missing values are written empty, NA or .)".into(),
            }),
        },
    }
}

/// A polars expression: the text of column `c` equals `v`.
pub fn text_eq(c: &str, v: &str) -> Expr {
    col(c).cast(DataType::String).eq(lit(v.to_string()))
}

/// Distinct non-missing values of column `c` (as text) among the rows the filter keeps, in order
/// of first appearance.
pub fn distinct(file: &CsvFile, c: &str) -> Result<Vec<String>> {
    let _progress = crate::progress::reading(&file.path, &file.name);
    let df = file
        .scan()?
        .select([col(c).cast(DataType::String)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .collect()
        .map_err(|e| file.polars_error(e))?;
    let s = df.column(c).map_err(|e| file.polars_error(e))?.str().map_err(|e| file.polars_error(e))?.clone();
    Ok(s.iter().flatten().map(str::to_string).collect())
}
