//! Baseline characteristics by arm ("Table 1"): per arm and overall, a continuous variable as
//! mean (SD) and median [Q1, Q3] with its missing count, a categorical one as n (%) per level
//! (percent of the arm's N, missing shown as a level of its own), from one row per subject (an
//! ADSL, or a wide trial file; a long file's rows are reduced to one per subject, and a subject
//! whose baseline value differs between rows is an error naming both lines).
//!
//! A variable's kind is never guessed where a guess could mislead: text columns are
//! categorical; numeric columns are continuous unless their values are few whole numbers (≤ 10
//! distinct), which could be codes (sex 0/1): those must be declared categorical or continuous.

use super::arms::ArmChoice;
use super::{Layout, Report, TableKind};
use crate::error::{Error, Result};
use crate::ingest::table::{column, numbers, CsvFile, Problems};
use crate::stats::descriptive::{summarize_with, Summary};
use serde::Serialize;

/// How a variable is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VarKind {
    Continuous,
    Categorical,
}

/// One row variable of the table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BaselineVariable {
    pub column: String,
    /// Printed label (default: the column name).
    pub label: Option<String>,
    /// `None`: from the column (see the module doc).
    pub kind: Option<VarKind>,
    /// Level labels of a categorical variable, in the order to print them: (value as written,
    /// label). Values not listed follow in sorted order.
    pub levels: Vec<(String, String)>,
    /// Unit of a continuous variable, printed after the label ("years").
    pub unit: Option<String>,
}

/// A `trialstat baseline` request.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineRequest {
    pub arms: ArmChoice,
    /// Printed arm labels: (value as written, label).
    pub arm_labels: Vec<(String, String)>,
    pub variables: Vec<BaselineVariable>,
    /// Add an "Overall" column (default true).
    pub overall: bool,
    /// Hyndman–Fan type of the quartiles (R's default 7).
    pub quantile_type: u8,
}

impl Default for BaselineRequest {
    fn default() -> Self {
        BaselineRequest { arms: ArmChoice::default(), arm_labels: Vec::new(), variables: Vec::new(), overall: true, quantile_type: 7 }
    }
}

/// A column of the table: an arm (or all subjects) and its N.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineGroup {
    /// The arm as written in the file (`Overall` for all subjects).
    pub group: String,
    /// The printed label.
    pub label: String,
    /// Subjects in the group.
    pub n: u64,
}

/// The count of one level of a categorical variable in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelCount {
    /// The value as written (`None`: missing).
    pub level: Option<String>,
    pub label: String,
    /// Per group, in the order of [`BaselineTable::groups`]: count and percent of the group's N.
    pub counts: Vec<u64>,
    pub percents: Vec<f64>,
}

/// One variable's summaries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRow {
    pub column: String,
    pub label: String,
    pub kind: VarKind,
    /// Continuous: per group, in the order of the groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<Summary>,
    /// Categorical: per level, with missing last when any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The baseline-characteristics table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineTable {
    pub groups: Vec<BaselineGroup>,
    pub rows: Vec<BaselineRow>,
}

/// How many distinct whole values make a numeric column look like codes.
const CODE_LEVELS: usize = 10;

/// The value of a subject's cell: text as written (trimmed) or a number.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Missing,
    Text(String),
    Number(f64, String),
}

/// The table of `file`; see the module doc.
pub fn baseline_file(file: &CsvFile, overrides: &crate::ingest::layout::Overrides, req: &BaselineRequest) -> Result<Report> {
    use crate::ingest::layout::{detect, require_column};
    if req.variables.is_empty() {
        return Err(Error::invalid("variables", "none", "at least one baseline variable, e.g. --vars age,sex"));
    }
    let d = detect(&file.name, &file.columns, overrides)?;
    // Table 1 describes the arms as randomised: the planned treatment (ADaM TRT01P, TRTP or ARM)
    // unless --arm names another column.
    let planned = ["TRT01P", "TRTP", "ARM"].into_iter().find(|c| file.columns.iter().any(|x| x == c)).filter(|_| overrides.arm.is_none());
    let arm = match planned {
        Some(p) => p.to_string(),
        None => d.arm_column(&file.name, &file.columns, "arm")?,
    };
    let subject = d.roles.subject.clone();
    let vars: Vec<String> = req.variables.iter().map(|v| require_column(&file.name, "--vars", &v.column, &file.columns)).collect::<Result<_>>()?;
    let mut text: Vec<&str> = vec![arm.as_str()];
    text.extend(subject.as_deref());
    text.extend(vars.iter().map(String::as_str));
    text.sort_unstable();
    text.dedup();
    let t = file.load_typed(&text, &vars.iter().map(String::as_str).collect::<Vec<_>>())?;
    let arms = super::arms::resolve_in_file(file, &arm, &req.arms)?;
    // Control first, then the treatments as chosen.
    let order: Vec<String> = std::iter::once(arms.control.clone()).chain(arms.treatments.iter().cloned()).collect();
    let rows = file.select(&t, &[])?;
    let arm_c = column(&t, &arm)?;
    let subj_c = subject.as_deref().map(|s| column(&t, s)).transpose()?;
    let mut problems = Problems::new(&file.name);
    // One entry per subject: (group index, line, cells).
    let mut subjects: Vec<(usize, u64, Vec<Cell>)> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let var_cols: Vec<(&crate::ingest::reader::Column, crate::ingest::reader::Numbers)> = vars.iter().map(|v| Ok((column(&t, v)?, numbers(&t, v)?))).collect::<Result<_>>()?;
    for &r in &rows {
        let Some(g) = arm_c.text(r).and_then(|a| order.iter().position(|o| o == a.trim())) else { continue };
        let line = t.line(r);
        let cells: Vec<Cell> = var_cols
            .iter()
            .map(|(c, n)| match c.text(r).map(str::trim).filter(|s| !s.is_empty()) {
                None => Cell::Missing,
                Some(s) => match n.get(r) {
                    (crate::ingest::reader::Num::Value(x), _) => Cell::Number(x, s.to_string()),
                    (crate::ingest::reader::Num::Missing, _) => Cell::Missing,
                    _ => Cell::Text(s.to_string()),
                },
            })
            .collect();
        match subj_c.and_then(|c| c.text(r)).map(|s| s.trim().to_string()) {
            Some(id) => match seen.get(&id) {
                Some(&k) => {
                    let (g0, line0, cells0) = &subjects[k];
                    if *g0 != g {
                        problems.push(line, &arm, arm_c.text(r).unwrap_or_default(), format!("subject {id} is in another arm on line {line0}"));
                    }
                    for (j, (a, b)) in cells0.iter().zip(&cells).enumerate() {
                        if a != b {
                            problems.push(line, &vars[j], &cell_text(b), format!("subject {id} has another baseline value on line {line0} ({}): a baseline variable is one value per subject", cell_text(a)));
                        }
                    }
                }
                None => {
                    seen.insert(id, subjects.len());
                    subjects.push((g, line, cells));
                }
            },
            None => subjects.push((g, line, cells)),
        }
    }
    problems.finish()?;
    let label_of = |a: &str| req.arm_labels.iter().find(|(v, _)| v == a).map_or(a.to_string(), |(_, l)| l.clone());
    let mut groups: Vec<BaselineGroup> = order.iter().enumerate().map(|(k, a)| BaselineGroup { group: a.clone(), label: label_of(a), n: subjects.iter().filter(|s| s.0 == k).count() as u64 }).collect();
    let ng = groups.len();
    if req.overall {
        groups.push(BaselineGroup { group: "Overall".into(), label: "Overall".into(), n: subjects.len() as u64 });
    }
    let in_group = |k: usize, g: usize| g == ng || k == g;
    let mut out_rows = Vec::new();
    for (j, v) in req.variables.iter().enumerate() {
        let cells: Vec<&Cell> = subjects.iter().map(|s| &s.2[j]).collect();
        let kind = kind_of(&file.name, v, &cells)?;
        let label = v.label.clone().unwrap_or_else(|| v.column.clone());
        match kind {
            VarKind::Continuous => {
                let mut summaries = Vec::new();
                for g in 0..groups.len() {
                    let x: Vec<f64> = subjects
                        .iter()
                        .filter(|s| in_group(s.0, g))
                        .map(|s| match &s.2[j] {
                            Cell::Number(x, _) => *x,
                            _ => f64::NAN,
                        })
                        .collect();
                    summaries.push(summarize_with(&x, req.quantile_type)?);
                }
                out_rows.push(BaselineRow { column: v.column.clone(), label, kind, summaries, levels: Vec::new(), unit: v.unit.clone() });
            }
            VarKind::Categorical => {
                let value = |c: &Cell| match c {
                    Cell::Missing => None,
                    Cell::Text(s) | Cell::Number(_, s) => Some(s.clone()),
                };
                let mut present: Vec<String> = cells.iter().filter_map(|c| value(c)).collect();
                sort_levels(&mut present);
                present.dedup();
                let mut levels: Vec<(Option<String>, String)> = v.levels.iter().map(|(val, l)| (Some(val.clone()), l.clone())).collect();
                if let Some(unknown) = v.levels.iter().find(|(val, _)| !present.contains(val)) {
                    return Err(Error::invalid(format!("levels of {}", v.column), format!("'{}'", unknown.0), format!("a value of column '{}' in {}: {}", v.column, file.name, present.join(", "))));
                }
                for p in &present {
                    if !levels.iter().any(|(val, _)| val.as_ref() == Some(p)) {
                        levels.push((Some(p.clone()), p.clone()));
                    }
                }
                if cells.iter().any(|c| **c == Cell::Missing) {
                    levels.push((None, "Missing".into()));
                }
                let counts = levels
                    .into_iter()
                    .map(|(level, l)| {
                        let counts: Vec<u64> = (0..groups.len()).map(|g| subjects.iter().filter(|s| in_group(s.0, g) && value(&s.2[j]) == level).count() as u64).collect();
                        let percents = counts.iter().zip(&groups).map(|(c, g)| if g.n > 0 { 100.0 * *c as f64 / g.n as f64 } else { 0.0 }).collect();
                        LevelCount { level, label: l, counts, percents }
                    })
                    .collect();
                out_rows.push(BaselineRow { column: v.column.clone(), label, kind, summaries: Vec::new(), levels: counts, unit: None });
            }
        }
    }
    let table = BaselineTable { groups, rows: out_rows };
    let mut notes = Vec::new();
    if planned.is_some() {
        notes.push(format!("Arms: column {arm} (randomised treatment; name another with --arm)."));
    }
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    notes.push(format!(
        "Continuous variables: mean (SD) and median [Q1, Q3] (quartiles of type {}, R's default 7), over the subjects with a value; categorical: n (%) of the arm's N.{}",
        req.quantile_type,
        match &subject {
            Some(s) => format!(" One row per subject ({s})."),
            None => " One row per subject (no subject column: each row is a subject).".into(),
        }
    ));
    let inputs = serde_json::json!({
        "file": file.name,
        "arm": arm,
        "subject": subject,
        "variables": req.variables.iter().map(|v| v.column.clone()).collect::<Vec<_>>(),
        "quantile_type": req.quantile_type,
    });
    let layout = Layout { title: format!("Baseline characteristics by {arm}"), table: TableKind::Baseline, ..Layout::default() };
    let mut report = Report { notes, ..Report::new("baseline", inputs, layout) };
    report.baseline = Some(table);
    Ok(report)
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Missing => "(missing)".into(),
        Cell::Text(s) | Cell::Number(_, s) => s.clone(),
    }
}

/// Numeric values sort as numbers, others as text.
fn sort_levels(v: &mut [String]) {
    if v.iter().all(|s| s.parse::<f64>().is_ok()) {
        v.sort_by(|a, b| a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0)));
    } else {
        v.sort();
    }
}

/// The kind of `v`: as declared, else text → categorical, numbers → continuous unless they look
/// like codes (an error asking to declare it).
fn kind_of(file: &str, v: &BaselineVariable, cells: &[&Cell]) -> Result<VarKind> {
    if let Some(k) = v.kind {
        if k == VarKind::Continuous {
            if let Some(Cell::Text(s)) = cells.iter().find(|c| matches!(c, Cell::Text(_))) {
                return Err(Error::invalid(format!("variable {}", v.column), format!("'{s}'"), format!("numbers only for a continuous variable (column '{}' of {file}); declare it categorical", v.column)));
            }
        }
        return Ok(k);
    }
    if !v.levels.is_empty() || cells.iter().any(|c| matches!(c, Cell::Text(_))) {
        return Ok(VarKind::Categorical);
    }
    let mut distinct: Vec<f64> = cells.iter().filter_map(|c| if let Cell::Number(x, _) = c { Some(*x) } else { None }).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() <= CODE_LEVELS && distinct.iter().all(|x| x.fract() == 0.0) {
        let shown: Vec<String> = distinct.iter().map(|x| crate::fmt::trim_num(*x, 0)).collect();
        return Err(Error::invalid(
            format!("variable {}", v.column),
            format!("{} distinct whole values ({})", distinct.len(), shown.join(", ")),
            "a declared kind: these could be codes (e.g. sex 0/1) or counts; say --categorical COLUMN (n (%) per value) or --continuous COLUMN (mean (SD))",
        ));
    }
    Ok(VarKind::Continuous)
}
