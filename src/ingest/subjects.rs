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

use super::table::{parse_number, text_columns, text_eq, CsvFile};
use crate::error::{Error, Result};
use std::collections::HashMap;

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

/// One entry per subject, in order of first appearance in the file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubjectPairs {
    pub subject: Vec<String>,
    pub arm: Vec<Option<String>>,
    pub baseline: Vec<Option<f64>>,
    pub followup: Vec<Option<f64>>,
    pub numeric: Vec<Vec<Option<f64>>>,
    pub text: Vec<Vec<Option<String>>>,
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
}

fn needs_visits(s: &Option<ValueSource>) -> bool {
    matches!(s, Some(ValueSource::Visits { .. }))
}

/// Read one record per subject (see the module doc). A one-row-per-subject file is read when
/// neither source is a visit; otherwise the visit and value columns are needed.
pub fn subject_pairs(file: &CsvFile, q: &PairQuery) -> Result<SubjectPairs> {
    let long = needs_visits(&q.baseline) || needs_visits(&q.followup);
    let need = |what: &str, c: &Option<String>, flag: &str| -> Result<String> {
        c.clone().ok_or_else(|| Error::File {
            file: file.name.clone(),
            message: format!("no {what} column recognised; name it with {flag}; columns present: {}", file.columns.join(", ")),
        })
    };
    // Columns read: arm, subject, visit, value, baseline/follow-up columns, extras.
    let mut cols: Vec<String> = vec![q.arm.clone()];
    let subject_col = if long { Some(need("subject", &q.subject, "--subject")?) } else { q.subject.clone() };
    let visit_col = if long { Some(need("visit", &q.visit, "--visit")?) } else { None };
    let value_col = if long { Some(need("value", &q.value, "--value")?) } else { None };
    let idx = |cols: &mut Vec<String>, c: &str| -> usize {
        match cols.iter().position(|x| x == c) {
            Some(i) => i,
            None => {
                cols.push(c.to_string());
                cols.len() - 1
            }
        }
    };
    let i_subject = subject_col.as_deref().map(|c| idx(&mut cols, c));
    let i_visit = visit_col.as_deref().map(|c| idx(&mut cols, c));
    let i_value = value_col.as_deref().map(|c| idx(&mut cols, c));
    let src_col = |s: &Option<ValueSource>| match s {
        Some(ValueSource::Column(c)) => Some(c.clone()),
        _ => None,
    };
    let i_base_col = src_col(&q.baseline).map(|c| idx(&mut cols, &c));
    let i_fu_col = src_col(&q.followup).map(|c| idx(&mut cols, &c));
    let i_num: Vec<usize> = q.numeric.iter().map(|c| idx(&mut cols, c)).collect();
    let i_text: Vec<usize> = q.text.iter().map(|c| idx(&mut cols, c)).collect();

    // Rows of the parameter and visits asked for only (the filter runs inside the scan).
    let mut pre: Option<polars::prelude::Expr> = None;
    if let (Some(pc), Some(p)) = (&q.param_column, &q.param) {
        pre = Some(text_eq(pc, p));
    }
    let visit_set: Vec<String> = [&q.baseline, &q.followup]
        .iter()
        .filter_map(|s| match s {
            Some(ValueSource::Visits { visits, .. }) => Some(visits.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if let Some(vc) = &visit_col {
        let any = visit_set.iter().fold(polars::prelude::lit(false), |acc, v| acc.or(text_eq(vc, v)));
        pre = Some(match pre {
            Some(p) => p.and(any),
            None => any,
        });
    }
    let col_refs: Vec<&str> = cols.iter().map(String::as_str).collect();
    let (lines, data) = text_columns(file, &col_refs, pre)?;

    let mut out = SubjectPairs { numeric: vec![Vec::new(); q.numeric.len()], text: vec![Vec::new(); q.text.len()], ..Default::default() };
    let mut index: HashMap<String, usize> = HashMap::new();
    // Per subject and visit position: the line the value came from (duplicate detection), the
    // values of the visits of each source.
    let base_visits: Vec<String> = match &q.baseline {
        Some(ValueSource::Visits { visits, .. }) => visits.clone(),
        _ => Vec::new(),
    };
    let fu_visits: Vec<String> = match &q.followup {
        Some(ValueSource::Visits { visits, .. }) => visits.clone(),
        _ => Vec::new(),
    };
    let nb = base_visits.len();
    let nv = nb + fu_visits.len();
    let mut seen: Vec<Vec<u64>> = Vec::new(); // line per visit slot, 0 = not seen
    let mut vals: Vec<Vec<Option<f64>>> = Vec::new();
    let cell = |k: usize, r: usize| data[k][r].as_deref();
    for (r, &line) in lines.iter().enumerate() {
        let key = match i_subject {
            Some(k) => match cell(k, r) {
                Some(s) => s.to_string(),
                None => {
                    return Err(Error::Data {
                        file: file.name.clone(),
                        line,
                        column: subject_col.clone().unwrap_or_default(),
                        value: String::new(),
                        message: "missing subject identifier".into(),
                    })
                }
            },
            None => format!("line {line}"),
        };
        let arm = cell(0, r).map(str::to_string);
        let s = match index.get(&key) {
            Some(&s) => {
                if !long {
                    return Err(Error::Data {
                        file: file.name.clone(),
                        line,
                        column: subject_col.clone().unwrap_or_default(),
                        value: key.clone(),
                        message: format!("subject appears twice (lines {} and {line}) in a one-row-per-subject analysis; keep one row with --where", out.line[s]),
                    });
                }
                if out.arm[s] != arm {
                    return Err(Error::Data {
                        file: file.name.clone(),
                        line,
                        column: q.arm.clone(),
                        value: arm.clone().unwrap_or_default(),
                        message: format!(
                            "subject {key} is in arm '{}' on line {} but in arm '{}' here",
                            out.arm[s].as_deref().unwrap_or(""),
                            out.line[s],
                            arm.as_deref().unwrap_or("")
                        ),
                    });
                }
                s
            }
            None => {
                let s = out.subject.len();
                index.insert(key.clone(), s);
                out.subject.push(key.clone());
                out.arm.push(arm);
                out.line.push(line);
                for (j, &k) in i_num.iter().enumerate() {
                    out.numeric[j].push(parse_number(file, line, &cols[k], cell(k, r))?);
                }
                for (j, &k) in i_text.iter().enumerate() {
                    out.text[j].push(cell(k, r).map(str::to_string));
                }
                out.baseline.push(match i_base_col {
                    Some(k) => parse_number(file, line, &cols[k], cell(k, r))?,
                    None => None,
                });
                out.followup.push(match i_fu_col {
                    Some(k) => parse_number(file, line, &cols[k], cell(k, r))?,
                    None => None,
                });
                seen.push(vec![0; nv]);
                vals.push(vec![None; nv]);
                s
            }
        };
        if let (Some(kv), Some(kx)) = (i_visit, i_value) {
            let visit = cell(kv, r).unwrap_or("");
            let slots: Vec<usize> = base_visits
                .iter()
                .enumerate()
                .filter(|(_, v)| v.as_str() == visit)
                .map(|(i, _)| i)
                .chain(fu_visits.iter().enumerate().filter(|(_, v)| v.as_str() == visit).map(|(i, _)| nb + i))
                .collect();
            if slots.is_empty() {
                continue;
            }
            let value = parse_number(file, line, &cols[kx], cell(kx, r))?;
            for slot in slots {
                if seen[s][slot] != 0 {
                    let what = match &q.param {
                        Some(p) => format!("visit '{visit}' and parameter '{p}'"),
                        None => format!("visit '{visit}'"),
                    };
                    return Err(Error::Data {
                        file: file.name.clone(),
                        line,
                        column: cols[kv].clone(),
                        value: visit.to_string(),
                        message: format!(
                            "subject {key} has two rows for {what} (lines {} and {line}); keep one with --where (e.g. an analysis flag such as ANL01FL = 'Y')",
                            seen[s][slot]
                        ),
                    });
                }
                seen[s][slot] = line;
                vals[s][slot] = value;
                if slot < nb && nb == 1 {
                    out.line[s] = line;
                }
            }
        }
    }
    let combine = |v: &[Option<f64>], seen: &[u64], agg: Aggregate| -> (Option<f64>, bool) {
        let present = seen.iter().filter(|&&l| l != 0).count();
        if v.iter().any(|x| x.is_none()) {
            return (None, present > 0 && present < seen.len());
        }
        let sum: f64 = v.iter().map(|x| x.unwrap_or(0.0)).sum();
        (Some(if agg == Aggregate::Mean { sum / v.len() as f64 } else { sum }), false)
    };
    for s in 0..out.subject.len() {
        if let Some(ValueSource::Visits { aggregate, .. }) = &q.baseline {
            out.baseline[s] = combine(&vals[s][..nb], &seen[s][..nb], *aggregate).0;
        }
        if let Some(ValueSource::Visits { aggregate, .. }) = &q.followup {
            let (v, partial) = combine(&vals[s][nb..], &seen[s][nb..], *aggregate);
            out.followup[s] = v;
            if partial && fu_visits.len() > 1 {
                out.incomplete_followup += 1;
            }
        }
    }
    Ok(out)
}
