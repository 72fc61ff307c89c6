//! Trial CSV files as the analyses see them: a [`CsvFile`] is a file whose header has been read
//! and whose rows are read once, on first use, by the strict reader ([`super::reader`]): only the
//! columns asked for, as interned text. Later queries on the same file (another arm, visit or
//! parameter; another analysis of a report) reuse that one read. Statistics never see this
//! layer: queries here return plain counts, vectors and row selections.

use super::layout::{detect, Detected, Layout, Overrides};
use super::reader::{self, Column, Keep, Num, Numbers, Table};
use crate::error::{Error, Problem, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A CSV file whose header has been read.
#[derive(Debug, Clone)]
pub struct CsvFile {
    pub path: PathBuf,
    /// The path as the user gave it, for messages.
    pub name: String,
    pub separator: u8,
    pub columns: Vec<String>,
    /// Rows kept (`--where`); `None` keeps every row.
    pub filter: Option<super::filter::RowFilter>,
    /// The rows read so far, shared by every clone (another filter on the same file reuses them).
    cache: Arc<Mutex<Option<Arc<Table>>>>,
    /// How many times the file's rows were read (shared by clones).
    reads: Arc<std::sync::atomic::AtomicUsize>,
}

impl PartialEq for CsvFile {
    fn eq(&self, o: &CsvFile) -> bool {
        (&self.path, &self.name, self.separator, &self.columns, &self.filter) == (&o.path, &o.name, o.separator, &o.columns, &o.filter)
    }
}

impl CsvFile {
    /// Read the header (see [`reader`] for what is accepted).
    pub fn open(path: &Path) -> Result<CsvFile> {
        let name = path.display().to_string();
        let h = reader::read_header(path, &name)?;
        Ok(CsvFile { path: path.to_path_buf(), name, separator: h.separator, columns: h.columns, filter: None, cache: Arc::default(), reads: Arc::default() })
    }

    /// Keep only the rows matching `text` (see [`super::filter`]); columns are checked now.
    pub fn with_filter(mut self, text: &str) -> Result<CsvFile> {
        self.filter = Some(super::filter::RowFilter::parse(text, &self.name, &self.columns)?);
        Ok(self)
    }

    /// How many times the rows of this file (any clone) have been read.
    pub fn reads(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The same file without a row filter (sharing the rows read).
    pub fn unfiltered(&self) -> CsvFile {
        CsvFile { filter: None, ..self.clone() }
    }

    /// The file's rows with at least the columns `need` (and the filter's) kept as text. See
    /// [`CsvFile::load_typed`].
    pub fn load(&self, need: &[&str]) -> Result<Arc<Table>> {
        self.load_typed(need, &[])
    }

    /// The file's rows with the columns `text` (and the filter's) kept as text and `numbers` as
    /// numbers (or as text, which gives numbers too). The file is read on the first call; a
    /// later call needing a column not yet kept reads it again with every column kept so far
    /// (callers that know their columns call [`CsvFile::preload`] first, so that an analysis, and
    /// a report, read each file once).
    pub fn load_typed(&self, text: &[&str], numbers: &[&str]) -> Result<Arc<Table>> {
        self.load_keyed(text, numbers, &[])
    }

    /// [`CsvFile::load_typed`] with the columns `keys` kept as keys ([`reader::cell_key`]; a
    /// column already kept as text serves too: its codes are its keys).
    pub fn load_keyed(&self, text: &[&str], numbers: &[&str], keys: &[&str]) -> Result<Arc<Table>> {
        let owned = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let mut want = Keep { text: owned(text), numbers: owned(numbers), keys: owned(keys) };
        if let Some(f) = &self.filter {
            let (text, numbers) = f.columns();
            want.text.extend(text);
            want.numbers.extend(numbers);
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = cache.as_ref() {
            if want.text.iter().all(|c| t.has(c)) && want.numbers.iter().all(|c| t.numbers(c).is_some()) && want.keys.iter().all(|c| t.has(c) || t.keys(c).is_some()) {
                return Ok(t.clone());
            }
            want.text.extend(t.kept());
            want.numbers.extend(t.kept_numbers());
            want.keys.extend(t.kept_keys());
        }
        for v in [&mut want.text, &mut want.numbers, &mut want.keys] {
            v.sort();
            v.dedup();
        }
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _progress = crate::progress::reading(&self.path, &self.name);
        let t = Arc::new(reader::read(&self.path, &self.name, &want)?);
        *cache = Some(t.clone());
        Ok(t)
    }

    /// Read the file now, once, with the columns of `roles` (the value column as numbers) and
    /// every name in `text` and `numbers` that is a column of the file (an analysis's options;
    /// `factor(x)` names `x`), so that the analysis's later queries read nothing.
    pub fn preload<'a>(&self, roles: &'a super::layout::Roles, text: impl IntoIterator<Item = &'a str>, numbers: impl IntoIterator<Item = &'a str>) -> Result<Arc<Table>> {
        let present = |n: &'a str| -> Option<&'a str> {
            let n = n.strip_prefix("factor(").and_then(|r| r.strip_suffix(')')).unwrap_or(n);
            self.columns.iter().any(|c| c == n).then_some(n)
        };
        let mut t: Vec<&str> = [&roles.subject, &roles.arm, &roles.visit, &roles.param, &roles.site].into_iter().flatten().map(String::as_str).collect();
        t.extend(text.into_iter().filter_map(present));
        let mut n: Vec<&str> = roles.value.iter().map(String::as_str).collect();
        n.extend(numbers.into_iter().filter_map(present));
        self.load_typed(&t, &n)
    }

    /// Read the file now with every column kept as text (`describe`).
    pub fn preload_all(&self) -> Result<Arc<Table>> {
        let all: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        self.load(&all)
    }

    /// The rows the filter keeps and, for each `(column, values)` of `only`, whose cell is one
    /// of the values, in file order.
    pub fn select(&self, t: &Table, only: &[(&str, &[String])]) -> Result<Vec<usize>> {
        let keep = self.selector(t, only)?;
        Ok((0..t.rows).filter(|&r| keep(r)).collect())
    }

    /// [`CsvFile::select`] as a test of one row, for a pass over the rows without a list of them.
    pub fn selector<'t>(&self, t: &'t Table, only: &[(&str, &[String])]) -> Result<impl Fn(usize) -> bool + 't> {
        let mut tests: Vec<super::filter::RowTest> = Vec::new();
        if let Some(f) = &self.filter {
            tests.extend(f.row_tests(t)?);
        }
        for (c, values) in only {
            let col = column(t, c)?;
            let ok = (0..col.distinct() as u32).map(|k| k != 0 && values.iter().any(|v| v == col.entry(k))).collect();
            tests.push(super::filter::RowTest::Codes(col, ok));
        }
        Ok(move |r: usize| tests.iter().all(|test| test.matches(r)))
    }
}

/// The numbers of a column the caller asked [`CsvFile::load_typed`] for.
pub fn numbers<'t>(t: &'t Table, name: &str) -> Result<Numbers<'t>> {
    t.numbers(name).ok_or_else(|| Error::File { file: t.name.clone(), message: format!("column '{name}' was not read (internal error: please report)") })
}

/// A column the caller asked [`CsvFile::load`] for.
pub fn column<'t>(t: &'t Table, name: &str) -> Result<&'t Column> {
    t.column(name).ok_or_else(|| Error::File { file: t.name.clone(), message: format!("column '{name}' was not read (internal error: please report)") })
}

/// Problems found while reading values, collected so that every one is reported at once.
#[derive(Debug)]
pub struct Problems {
    file: String,
    list: Vec<Problem>,
    more: u64,
}

impl Problems {
    pub fn new(file: &str) -> Problems {
        Problems { file: file.to_string(), list: Vec::new(), more: 0 }
    }

    pub fn push(&mut self, line: u64, column: &str, value: &str, message: impl Into<String>) {
        if self.list.len() < reader::MAX_PROBLEMS {
            self.list.push(Problem { line, column: Some(column.to_string()), value: Some(value.to_string()), message: message.into() });
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok` when nothing was found, else every problem as one error (exit status 3).
    pub fn finish(self) -> Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::Problems { file: self.file, problems: self.list, more: self.more })
        }
    }

    /// Row `row` of column `name` as a number; an invalid or infinite value is recorded and
    /// read as missing (the analysis fails at [`Problems::finish`]).
    pub fn number(&mut self, t: &Table, c: &Numbers, name: &str, row: usize) -> Option<f64> {
        match c.get(row) {
            (Num::Value(x), _) => Some(x),
            (Num::Missing, _) => None,
            (n, text) => {
                self.push(t.line(row), name, text, reader::num_problem(n, text));
                None
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
    /// Missing values (empty, NA, . or NaN) by column, for the columns that have any in the file.
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

/// The arms of `rows` by label (missing as "(missing)"; "(all)" without an arm column): the
/// labels in order of first appearance, their sorted order, and each row's arm.
fn arm_groups(arm_col: Option<&super::reader::Column>, rows: &[usize]) -> (Vec<String>, Vec<usize>, Vec<usize>) {
    let label = |r: usize| -> String {
        match arm_col {
            Some(c) => c.text(r).unwrap_or("(missing)").to_string(),
            None => "(all)".to_string(),
        }
    };
    let mut labels: Vec<String> = Vec::new();
    let mut arm_of_code: Vec<Option<usize>> = vec![None; arm_col.map_or(1, |c| c.distinct())];
    let arm_index: Vec<usize> = rows
        .iter()
        .map(|&r| {
            let code = arm_col.map_or(0, |c| c.code(r)) as usize;
            *arm_of_code[code].get_or_insert_with(|| {
                labels.push(label(r));
                labels.len() - 1
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
    (labels, order, arm_index)
}

/// Describe a file: layout, arms with their subjects and rows, visits, parameters and the
/// missing values of every column, by arm. One read of the file.
pub fn describe(file: &CsvFile, overrides: &Overrides) -> Result<Description> {
    let detected = detect(&file.name, &file.columns, overrides)?;
    let roles = &detected.roles;
    let t = file.preload_all()?;
    let rows = file.select(&t, &[])?;
    let arm_col = roles.arm.as_deref().map(|a| column(&t, a)).transpose()?;
    let (labels, order, arm_index) = arm_groups(arm_col, &rows);
    let mut rank = vec![0; labels.len()];
    for (i, &k) in order.iter().enumerate() {
        rank[k] = i;
    }
    let na = labels.len();
    let mut n_rows = vec![0u64; na];
    let mut subjects = vec![0u64; na];
    let subj = roles.subject.as_deref().map(|s| column(&t, s)).transpose()?;
    let mut seen = std::collections::HashSet::new();
    for (i, &r) in rows.iter().enumerate() {
        let a = rank[arm_index[i]];
        n_rows[a] += 1;
        let s = subj.map_or(r as u64 + 1, |c| u64::from(c.code(r)));
        // A missing subject identifier counts as one subject, as a distinct count of values does.
        if seen.insert((a, s)) {
            subjects[a] += 1;
        }
    }
    let mut missing_by_col: Vec<(String, Vec<u64>)> = Vec::new();
    for c in &file.columns {
        let col = column(&t, c)?;
        let mut v = vec![0u64; na];
        for (i, &r) in rows.iter().enumerate() {
            if col.code(r) == 0 {
                v[rank[arm_index[i]]] += 1;
            }
        }
        if v.iter().any(|&m| m > 0) {
            missing_by_col.push((c.clone(), v));
        }
    }
    let arms: Vec<ArmSummary> = order
        .iter()
        .enumerate()
        .map(|(i, &k)| ArmSummary {
            arm: labels[k].clone(),
            subjects: subjects[i],
            rows: n_rows[i],
            missing: missing_by_col.iter().map(|(c, v)| (c.clone(), v[i])).collect(),
        })
        .collect();
    let distinct_of = |c: &Option<String>| -> Result<Vec<String>> {
        match c {
            Some(c) => distinct_in(&t, rows.iter().copied(), c),
            None => Ok(Vec::new()),
        }
    };
    let visits = if detected.layout == Layout::Wide {
        detected.visit_columns.iter().map(|(p, cols)| format!("{p}: {}", cols.join(", "))).collect()
    } else {
        distinct_of(&roles.visit)?
    };
    let params = distinct_of(&roles.param)?;
    Ok(Description {
        file: file.name.clone(),
        filter: file.filter.as_ref().map(|f| f.text.clone()),
        layout: detected.layout,
        rows: rows.len() as u64,
        columns: file.columns.clone(),
        detected,
        arms,
        visits,
        params,
    })
}

/// Distinct non-missing values of column `c` among `rows`, in order of first appearance.
pub fn distinct_in(t: &Table, rows: impl IntoIterator<Item = usize>, c: &str) -> Result<Vec<String>> {
    Ok(value_counts_in(t, rows, c)?.into_iter().map(|(v, _)| v).collect())
}

/// Distinct non-missing values of column `c` (as text) among the rows the filter keeps, in order
/// of first appearance.
pub fn distinct(file: &CsvFile, c: &str) -> Result<Vec<String>> {
    Ok(value_counts(file, c)?.into_iter().map(|(v, _)| v).collect())
}

/// Non-missing values of column `c` among `rows` with their row counts, in order of first
/// appearance.
pub fn value_counts_in(t: &Table, rows: impl IntoIterator<Item = usize>, c: &str) -> Result<Vec<(String, u64)>> {
    let col = column(t, c)?;
    let mut n = vec![0u64; col.distinct()];
    let mut order = Vec::new();
    for r in rows {
        let k = col.code(r) as usize;
        if k != 0 {
            if n[k] == 0 {
                order.push(k);
            }
            n[k] += 1;
        }
    }
    Ok(order.into_iter().map(|k| (col.entry(k as u32).to_string(), n[k])).collect())
}

/// [`value_counts_in`] over the rows the filter keeps.
pub fn value_counts(file: &CsvFile, c: &str) -> Result<Vec<(String, u64)>> {
    let t = file.load(&[c])?;
    if file.filter.is_none() {
        return value_counts_in(&t, 0..t.rows, c); // no list of every row
    }
    let rows = file.select(&t, &[])?;
    value_counts_in(&t, rows, c)
}
