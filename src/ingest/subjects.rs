//! One record per subject from any layout: the subject's arm, a baseline and a follow-up value,
//! and subject-level columns (covariates), as plain vectors for the analyses.
//!
//! | layout | baseline / follow-up come from |
//! |---|---|
//! | wide, ADSL (one row per subject) | two columns (`--baseline pk1 --followup pk5`) |
//! | long, BDS (one row per subject × visit × parameter) | the value column at a visit (`--baseline-visit Baseline --followup-visit "Week 24"`), or a subject-level column (`--baseline base`) |
//!
//! Several follow-up visits can be combined per subject by their sum or mean (`--followup-visit
//! 1,2,3,4 --aggregate sum`: the epilepsy trial's 8-week seizure count); a subject missing any of
//! them has no follow-up value (counted as missing, never imputed).
//!
//! Errors name the file, line, column and value: a non-numeric value, a subject with two rows
//! for the same visit (and parameter), a subject whose arm differs between its rows.

use super::reader::{Column, Numbers};
use super::table::{column, numbers, CsvFile, Problems};
use crate::error::{Error, Result};
use std::sync::Arc;

/// Where a subject's baseline or follow-up value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    /// A column holding one value per subject (a wide file's visit column, or a subject-level
    /// column of a long file such as `base` or `BASE`, read from the subject's first row).
    Column(String),
    /// The value column at these visits; with several visits, combined by `aggregate`.
    Visits { visits: Vec<String>, aggregate: Aggregate },
}

impl ValueSource {
    /// The visits of a visit source (none for a column).
    pub fn visits(&self) -> Vec<String> {
        match self {
            ValueSource::Visits { visits, .. } => visits.clone(),
            ValueSource::Column(_) => Vec::new(),
        }
    }

    /// How the source reads in notes: `pk5`, `y at period 1, 2, 3, 4 (sum)`.
    pub fn describe(&self, value: Option<&str>, visit: Option<&str>) -> String {
        match self {
            ValueSource::Column(c) => c.clone(),
            ValueSource::Visits { visits, aggregate } => {
                let v = value.unwrap_or("value");
                let at = visit.unwrap_or("visit");
                if visits.len() == 1 {
                    format!("{v} at {at} {}", visits[0])
                } else {
                    format!("{} of {v} over {at} {}", aggregate.name(), visits.join(", "))
                }
            }
        }
    }
}

/// How several visits combine into one value per subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Mean,
}

impl Aggregate {
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Mean => "mean",
        }
    }
}

/// Which columns play which role in a [`subject_pairs`] query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PairQuery {
    pub arm: String,
    /// Subject column: needed for long files; for one-row-per-subject files it is used to
    /// reject a subject with two rows.
    pub subject: Option<String>,
    /// Visit, parameter and value columns of a long file.
    pub visit: Option<String>,
    pub param_column: Option<String>,
    pub value: Option<String>,
    /// The parameter to keep (rows whose parameter column equals it).
    pub param: Option<String>,
    pub baseline: Option<ValueSource>,
    pub followup: Option<ValueSource>,
    /// Subject-level numeric columns (covariates) and text columns (strata, categorical
    /// covariates), read from the subject's first row.
    pub numeric: Vec<String>,
    pub text: Vec<String>,
}

/// Subject identifiers in one buffer, no allocation per subject: `ids[s]` is the s-th as a
/// `str` (a million identifiers take their bytes plus 8 bytes each, not a `String` each).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|s| &self[s])
    }
}

impl std::ops::Index<usize> for Ids {
    type Output = str;
    fn index(&self, s: usize) -> &str {
        let start = if s == 0 { 0 } else { self.ends[s - 1] };
        &self.text[start..self.ends[s]]
    }
}

/// A text value per subject (arm, stratum) as the file's code of it, with one shared string
/// per distinct value: 4 bytes per subject instead of a pointer and length each.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    codes: Vec<u32>,
    /// Indexed by code; code 0 (a missing cell) has none.
    labels: Vec<Option<Arc<str>>>,
}

impl Labels {
    fn with_capacity(n: usize, distinct: usize) -> Labels {
        Labels { codes: Vec::with_capacity(n), labels: vec![None; distinct] }
    }

    /// Add `row`'s cell of `col` (the column these labels were made for).
    fn push(&mut self, col: &Column, row: usize) {
        let k = col.code(row);
        if k != 0 && self.labels[k as usize].is_none() {
            self.labels[k as usize] = Some(Arc::from(col.entry(k)));
        }
        self.codes.push(k);
    }

    /// Subject `s`'s value, `None` where the cell is missing.
    pub fn get(&self, s: usize) -> Option<&str> {
        self.labels[self.codes[s] as usize].as_deref()
    }
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> {
        (0..self.len()).map(|s| self.get(s))
    }

    /// Rename every value (e.g. arm codes `1`/`0` to the names tables use).
    pub fn rename(&mut self, mut f: impl FnMut(&str) -> String) {
        for l in self.labels.iter_mut().flatten() {
            *l = Arc::from(f(l));
        }
    }

    /// Whether subjects `s` (of these labels) and `row` (of `col`) have the same value.
    fn same(&self, s: usize, col: &Column, row: usize) -> bool {
        self.codes[s] == col.code(row)
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        self.iter().eq(other.iter())
    }
}

/// One entry per subject, in order of first appearance in the file. Arm labels and text
/// columns are shared strings (one allocation per distinct value, not per subject). Baseline
/// and follow-up values are finite numbers, NaN where the subject has none (use
/// [`SubjectPairs::baseline_of`] and [`SubjectPairs::followup_of`] for an `Option`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubjectPairs {
    pub subject: Ids,
    pub arm: Labels,
    pub baseline: Vec<f64>,
    pub followup: Vec<f64>,
    pub numeric: Vec<Vec<Option<f64>>>,
    pub text: Vec<Labels>,
    /// File line of the subject's first row (of its baseline row where there is one).
    pub line: Vec<u64>,
    /// Subjects with some but not all of the follow-up visits (aggregated follow-up only).
    pub incomplete_followup: u64,
}

impl SubjectPairs {
    pub fn len(&self) -> usize {
        self.subject.len()
    }
    pub fn is_empty(&self) -> bool {
        self.subject.is_empty()
    }
    /// Subject `s`'s baseline value, `None` when missing.
    pub fn baseline_of(&self, s: usize) -> Option<f64> {
        present(self.baseline[s])
    }
    /// Subject `s`'s follow-up value, `None` when missing.
    pub fn followup_of(&self, s: usize) -> Option<f64> {
        present(self.followup[s])
    }
}

fn needs_visits(s: &Option<ValueSource>) -> bool {
    matches!(s, Some(ValueSource::Visits { .. }))
}

/// The subject, visit, value, baseline and follow-up columns of a query: the first three
/// are required for a long file (an error names the flag), the last two are the sources'
/// columns if they are columns.
fn query_columns(file: &CsvFile, q: &PairQuery, long: bool) -> Result<[Option<String>; 5]> {
    let need = |what: &str, c: &Option<String>, flag: &str| -> Result<String> {
        c.clone().ok_or_else(|| Error::File {
            file: file.name.clone(),
            message: format!("no {what} column recognised; name it with {flag}; columns present: {}", file.columns.join(", ")),
        })
    };
    let src_col = |s: &Option<ValueSource>| match s {
        Some(ValueSource::Column(c)) => Some(c.clone()),
        _ => None,
    };
    Ok([
        if long { Some(need("subject", &q.subject, "--subject")?) } else { q.subject.clone() },
        if long { Some(need("visit", &q.visit, "--visit")?) } else { None },
        if long { Some(need("value", &q.value, "--value")?) } else { None },
        src_col(&q.baseline),
        src_col(&q.followup),
    ])
}

/// Read one record per subject (see the module doc). A one-row-per-subject file is read when
/// neither source is a visit; otherwise the visit and value columns are needed. Invalid numbers
/// are collected over the whole pass and reported together.
pub fn subject_pairs(file: &CsvFile, q: &PairQuery) -> Result<SubjectPairs> {
    let long = needs_visits(&q.baseline) || needs_visits(&q.followup);
    let [subject_col, visit_col, value_col, base_col, fu_col] = query_columns(file, q, long)?;
    let t = load_query(file, q, [&subject_col, &visit_col, &value_col, &base_col, &fu_col])?;
    let (base_visits, fu_visits) = (q.baseline.as_ref().map_or(Vec::new(), ValueSource::visits), q.followup.as_ref().map_or(Vec::new(), ValueSource::visits));
    let visit_set: Vec<String> = base_visits.iter().chain(&fu_visits).cloned().collect();
    // Rows of the parameter and visits asked for only.
    let param = q.param.clone().map(|p| vec![p]);
    let only: Vec<(&str, &[String])> = [q.param_column.as_deref().zip(param.as_deref()), visit_col.as_deref().map(|v| (v, visit_set.as_slice()))].into_iter().flatten().collect();
    let keep_row = file.selector(&t, &only)?;
    let cols = PairColumns::new(&t, q, [&subject_col, &base_col, &fu_col])?;
    let (arm, subj) = (cols.arm, cols.subject);
    let visit = visit_col.as_deref().map(|c| column(&t, c)).transpose()?;
    let value = value_col.as_deref().map(|c| numbers(&t, c)).transpose()?;
    let nb = base_visits.len();
    let nv = nb + fu_visits.len();
    let slots_of = visit_slots(visit, &base_visits, &fu_visits);
    // A side with one visit is written straight into the subject's record; only a side that
    // combines several visits keeps each visit's value until the end.
    let buffered = nb > 1 || nv - nb > 1;

    let mut problems = Problems::new(&file.name);
    // At most one record per distinct identifier (per row without one): the vectors are sized
    // once, never doubled past what they hold (capacity never written takes no memory).
    let most = subj.map_or(t.rows, |c| (c.distinct() - 1).min(t.rows));
    let mut out = cols.with_capacity(most);
    // Subject code → index + 1 (0 = not seen yet).
    let mut index: Vec<u32> = vec![0; subj.map_or(0, |c| c.distinct())];
    let mut seen: Vec<bool> = Vec::with_capacity(most * nv); // per subject × visit slot
    let mut vals: Vec<f64> = Vec::with_capacity(if buffered { most * nv } else { 0 }); // NaN = missing
    let subject_name = subject_col.clone().unwrap_or_default();
    for r in (0..t.rows).filter(|&r| keep_row(r)) {
        let line = t.line(r);
        let code = subj.map(|c| c.code(r));
        if code == Some(0) {
            return Err(Error::Data { file: file.name.clone(), line, column: subject_name.clone(), value: String::new(), message: "missing subject identifier".into() });
        }
        let known = code.map_or(0, |k| index[k as usize]);
        let s = if known != 0 {
            let s = known as usize - 1;
            check_repeat(file, q, &out, s, long, &subject_name, arm, r, line)?;
            s
        } else {
            if let Some(k) = code {
                index[k as usize] = out.subject.len() as u32 + 1;
            }
            cols.push_subject(&mut out, &mut problems, r, line);
            seen.extend(std::iter::repeat_n(false, nv));
            if buffered {
                vals.extend(std::iter::repeat_n(f64::NAN, nv));
            }
            out.subject.len() - 1
        };
        let (Some(vc), Some(xc)) = (visit, value) else { continue };
        let slots = &slots_of[vc.code(r) as usize];
        if slots.is_empty() {
            continue;
        }
        let v = problems.number(&t, &xc, value_col.as_deref().unwrap_or_default(), r).unwrap_or(f64::NAN);
        for &slot in slots {
            let at = s * nv + slot;
            if seen[at] {
                let first = (0..r).find(|&e| keep_row(e) && code.is_none_or(|k| subj.is_some_and(|c| c.code(e) == k)) && vc.code(e) == vc.code(r)).map_or(0, |e| t.line(e));
                return Err(duplicate_visit(file, q, visit_col.as_deref().unwrap_or_default(), vc.entry(vc.code(r)), &out.subject[s], first, line));
            }
            seen[at] = true;
            if buffered {
                vals[at] = v;
            } else if slot < nb {
                out.baseline[s] = v;
            } else {
                out.followup[s] = v;
            }
            if slot < nb && nb == 1 {
                out.line[s] = line;
            }
        }
    }
    problems.finish()?;
    if buffered {
        combine_visits(&mut out, &vals, &seen, q, nb);
    }
    drop((seen, vals, index));
    check_values(&out, file, q, value_col.as_deref())?;
    Ok(out)
}

/// A subject's second row (`r`, of subject `s`): an error in a one-row-per-subject analysis,
/// or when its arm differs from the first row's.
#[allow(clippy::too_many_arguments)]
fn check_repeat(file: &CsvFile, q: &PairQuery, out: &SubjectPairs, s: usize, long: bool, subject_column: &str, arm: &Column, r: usize, line: u64) -> Result<()> {
    let key = &out.subject[s];
    let at = |column: &str, value: &str, message: String| Error::Data { file: file.name.clone(), line, column: column.to_string(), value: value.to_string(), message };
    if !long {
        return Err(at(subject_column, key, format!("subject appears twice (lines {} and {line}) in a one-row-per-subject analysis; keep one row with --where", out.line[s])));
    }
    if !out.arm.same(s, arm, r) {
        let (was, now) = (out.arm.get(s).unwrap_or(""), arm.text(r).unwrap_or(""));
        return Err(at(&q.arm, now, format!("subject {key} is in arm '{was}' on line {} but in arm '{now}' here", out.line[s])));
    }
    Ok(())
}

/// Read the columns a query needs: arm, subject, visit, parameter and text columns as text;
/// value, baseline, follow-up and numeric columns as numbers.
fn load_query(file: &CsvFile, q: &PairQuery, [subject, visit, value, base, fu]: [&Option<String>; 5]) -> Result<Arc<super::reader::Table>> {
    let mut text_cols: Vec<&str> = vec![&q.arm];
    text_cols.extend([subject, visit, &q.param_column].into_iter().flatten().map(String::as_str));
    text_cols.extend(q.text.iter().map(String::as_str));
    let mut num_cols: Vec<&str> = [value, base, fu].into_iter().flatten().map(String::as_str).collect();
    num_cols.extend(q.numeric.iter().map(String::as_str));
    file.load_typed(&text_cols, &num_cols)
}

/// Visit code → the slots it fills (baseline visits first, then follow-up visits).
fn visit_slots(visit: Option<&Column>, base_visits: &[String], fu_visits: &[String]) -> Vec<Vec<usize>> {
    let nb = base_visits.len();
    let nv = nb + fu_visits.len();
    match visit {
        Some(vc) => (0..vc.distinct() as u32)
            .map(|k| {
                let v = vc.entry(k);
                (0..nv).filter(|&i| k != 0 && if i < nb { base_visits[i] == v } else { fu_visits[i - nb] == v }).collect()
            })
            .collect(),
        None => Vec::new(),
    }
}

/// A subject with two rows for one visit (and parameter): an error naming both lines.
fn duplicate_visit(file: &CsvFile, q: &PairQuery, column: &str, visit: &str, subject: &str, first: u64, line: u64) -> Error {
    let what = match &q.param {
        Some(p) => format!("visit '{visit}' and parameter '{p}'"),
        None => format!("visit '{visit}'"),
    };
    let message = format!("subject {subject} has two rows for {what} (lines {first} and {line}); keep one with --where (e.g. an analysis flag such as ANL01FL = 'Y')");
    Error::Data { file: file.name.clone(), line, column: column.to_string(), value: visit.to_string(), message }
}

/// The subject-level columns a pass reads: arm, subject, covariates (numeric and text), and
/// the baseline and follow-up columns when they are columns.
struct PairColumns<'t> {
    t: &'t super::reader::Table,
    arm: &'t Column,
    subject: Option<&'t Column>,
    numeric: Vec<(Numbers<'t>, &'t str)>,
    text: Vec<&'t Column>,
    base: Option<(Numbers<'t>, &'t str)>,
    fu: Option<(Numbers<'t>, &'t str)>,
}

impl<'t> PairColumns<'t> {
    fn new(t: &'t super::reader::Table, q: &'t PairQuery, [subject, base, fu]: [&'t Option<String>; 3]) -> Result<Self> {
        let num = |c: &'t Option<String>| c.as_deref().map(|c| Ok::<_, Error>((numbers(t, c)?, c))).transpose();
        Ok(PairColumns {
            t,
            arm: column(t, &q.arm)?,
            subject: subject.as_deref().map(|c| column(t, c)).transpose()?,
            numeric: q.numeric.iter().map(|c| Ok((numbers(t, c)?, c.as_str()))).collect::<Result<_>>()?,
            text: q.text.iter().map(|c| column(t, c)).collect::<Result<_>>()?,
            base: num(base)?,
            fu: num(fu)?,
        })
    }

    /// Empty records with room for `most` subjects.
    fn with_capacity(&self, most: usize) -> SubjectPairs {
        SubjectPairs {
            subject: Ids { text: String::new(), ends: Vec::with_capacity(most) },
            arm: Labels::with_capacity(most, self.arm.distinct()),
            baseline: Vec::with_capacity(most),
            followup: Vec::with_capacity(most),
            numeric: vec![Vec::with_capacity(most); self.numeric.len()],
            text: self.text.iter().map(|c| Labels::with_capacity(most, c.distinct())).collect(),
            line: Vec::with_capacity(most),
            incomplete_followup: 0,
        }
    }

    /// A new subject's record from its first row `r` (baseline and follow-up from their columns
    /// if they are columns, else missing until a visit row gives them).
    fn push_subject(&self, out: &mut SubjectPairs, problems: &mut Problems, r: usize, line: u64) {
        match self.subject {
            Some(c) => out.subject.push(c.entry(c.code(r))),
            None => out.subject.push(&format!("line {line}")),
        }
        out.arm.push(self.arm, r);
        out.line.push(line);
        for (j, (c, name)) in self.numeric.iter().enumerate() {
            out.numeric[j].push(problems.number(self.t, c, name, r));
        }
        for (j, c) in self.text.iter().enumerate() {
            out.text[j].push(c, r);
        }
        let value = |problems: &mut Problems, src: &Option<(Numbers, &str)>| src.as_ref().and_then(|(c, name)| problems.number(self.t, c, name, r)).unwrap_or(f64::NAN);
        out.baseline.push(value(problems, &self.base));
        out.followup.push(value(problems, &self.fu));
    }
}

/// Combine each subject's buffered visit values (`vals`, `seen`: nv slots per subject, the
/// baseline's `nb` first) by the sources' aggregates; a subject missing some of several
/// follow-up visits has none, and is counted.
fn combine_visits(out: &mut SubjectPairs, vals: &[f64], seen: &[bool], q: &PairQuery, nb: usize) {
    let nv = vals.len() / out.subject.len().max(1);
    let combine = |v: &[f64], seen: &[bool], agg: Aggregate| -> (f64, bool) {
        let present = seen.iter().filter(|&&l| l).count();
        if v.iter().any(|x| x.is_nan()) {
            return (f64::NAN, present > 0 && present < seen.len());
        }
        let sum: f64 = v.iter().sum();
        (if agg == Aggregate::Mean { sum / v.len() as f64 } else { sum }, false)
    };
    for s in 0..out.subject.len() {
        let (v, l) = (&vals[s * nv..(s + 1) * nv], &seen[s * nv..(s + 1) * nv]);
        if let Some(ValueSource::Visits { aggregate, .. }) = &q.baseline {
            out.baseline[s] = combine(&v[..nb], &l[..nb], *aggregate).0;
        }
        if let Some(ValueSource::Visits { visits, aggregate }) = &q.followup {
            let (x, partial) = combine(&v[nb..], &l[nb..], *aggregate);
            out.followup[s] = x;
            if partial && visits.len() > 1 {
                out.incomplete_followup += 1;
            }
        }
    }
}

/// Values the statistics cannot use: a sum of visits that overflows to infinity, and values so
/// large that sums of squares overflow (see [`check_sums`]); errors naming the line.
fn check_values(out: &SubjectPairs, file: &CsvFile, q: &PairQuery, value_col: Option<&str>) -> Result<()> {
    for s in 0..out.subject.len() {
        for (x, which) in [(out.baseline[s], "baseline"), (out.followup[s], "follow-up")] {
            if x.is_infinite() {
                return Err(Error::Data {
                    file: file.name.clone(),
                    line: out.line[s],
                    column: value_col.unwrap_or_default().to_string(),
                    value: out.subject[s].to_string(),
                    message: format!("the subject's {which} values sum to more than a double holds (1.8e308)"),
                });
            }
        }
    }
    let name = |src: &Option<ValueSource>, fallback: &str| match src {
        Some(ValueSource::Column(c)) => c.clone(),
        _ => value_col.unwrap_or(fallback).to_string(),
    };
    let change = |s: usize| Some(out.followup_of(s)? - out.baseline_of(s)?);
    check_sums(&file.name, &name(&q.baseline, "baseline"), |s| out.baseline_of(s), &out.line)?;
    check_sums(&file.name, &name(&q.followup, "follow-up"), |s| out.followup_of(s), &out.line)?;
    check_sums(&file.name, &format!("{} − {}", name(&q.followup, "follow-up"), name(&q.baseline, "baseline")), change, &out.line)?;
    for (c, v) in q.numeric.iter().zip(&out.numeric) {
        check_sums(&file.name, c, |s| v[s], &out.line)?;
    }
    Ok(())
}

/// A value that is not NaN (NaN marks a missing value).
fn present(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

/// The statistics sum values and their squares: values so large that those sums overflow a
/// double (|x| above about 1e154 for squares) are an error naming the largest value and its
/// line, never an infinite mean or SD.
fn check_sums(file: &str, column: &str, value: impl Fn(usize) -> Option<f64>, lines: &[u64]) -> Result<()> {
    let values = || (0..lines.len()).map(&value);
    let (mut sum, mut sq) = (0f64, 0f64);
    for x in values().flatten() {
        sum += x.abs();
        sq += x * x;
    }
    if sum.is_finite() && sq.is_finite() {
        return Ok(());
    }
    let (i, x) = values().enumerate().filter_map(|(i, x)| x.map(|x| (i, x))).fold((0, 0f64), |best, (i, x)| if !(x.abs() <= best.1.abs()) { (i, x) } else { best });
    Err(Error::Data {
        file: file.to_string(),
        line: lines.get(i).copied().unwrap_or(0),
        column: column.to_string(),
        value: format!("{x:e}"),
        message: "values this large overflow the sums and squares the statistics need (a double holds up to 1.8e308); check the unit or rescale".into(),
    })
}
