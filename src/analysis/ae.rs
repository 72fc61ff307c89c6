//! Adverse-event incidence tables: subjects with at least one event, per arm, for any event, by
//! system organ class (SOC) and by preferred term (PT) within SOC, with denominators from the
//! subject file (ADSL: the safety population by default); each arm against the control by risk
//! ratio (Koopman score CI), risk difference (Newcombe hybrid score CI) and Fisher's exact test;
//! optionally stratified (Mantel–Haenszel RR, OR, RD and Breslow–Day over a subject-file column).
//!
//! # Counting
//! A subject counts once per row however many events (records) it has: incidence is subjects,
//! not events (ICH E3 §12.2; FDA safety tables). Each AE record is attributed to its subject's
//! arm in the subject file (joined on the subject identifier), not to a treatment column of the
//! AE file. An AE of a subject absent from the subject file is an error naming its line; an AE of
//! a subject outside the population (e.g. `SAFFL = 'N'`) or outside the arms analysed is left
//! out and counted in the notes.
//!
//! # Order
//! The any-event row first; then SOCs by decreasing number of subjects over all arms, each
//! followed by its PTs in the same order; ties alphabetically (byte order).

use super::arms::{resolve_counted, ArmChoice, Arms};
use super::counts::push_as;
use super::{GroupRow, Layout, MethodChoice, Report};
use crate::data::{check_level, BinomialCount, Stratum, TwoByTwo};
use crate::error::{Error, Result};
use crate::ingest::layout::require_column;
use crate::ingest::reader::{Column, FastHash};
use crate::ingest::table::{column, CsvFile};
use crate::stats::{exact, proportion, stratified, two_by_two, Estimate, Measure, Method, Subset};
use serde_json::json;
use std::collections::HashMap;

/// Label of the any-event row (its `term`).
pub const ANY_EVENT: &str = "any adverse event";

/// Which rows the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AeRows {
    /// SOC rows, each followed by its PT rows.
    #[default]
    SocAndTerm,
    Soc,
    /// PT rows only, across SOCs.
    Term,
}

/// A `trialstat ae` request.
#[derive(Debug, Clone, PartialEq)]
pub struct AeSpec {
    pub arms: ArmChoice,
    /// Columns of the subject file: subject and arm (recognised when `None`).
    pub subject_id: Option<String>,
    pub arm: Option<String>,
    /// Columns of the AE file: subject, SOC, preferred term (recognised when `None`).
    pub ae_subject: Option<String>,
    pub soc: Option<String>,
    pub term: Option<String>,
    /// Keep treatment-emergent events only (`TRTEMFL = Y`).
    pub teae: bool,
    /// Keep serious events only (`AESER = Y`).
    pub serious: bool,
    /// Keep events of these severities (`AESEV`); empty keeps all.
    pub severity: Vec<String>,
    pub rows: AeRows,
    /// Show only terms (and SOCs) reaching this percentage in at least one arm.
    pub min_percent: Option<f64>,
    /// Stratify by this column of the subject file.
    pub strata: Option<String>,
    pub level: f64,
    /// CI methods of the per-arm proportions and of the risk ratio and difference rows (each
    /// measure's recommended one by default); odds-ratio rows appear when an odds-ratio method
    /// is named (or `all`).
    pub methods: MethodChoice,
    /// The order of the treatment arms' columns after the control's (`--arm-order`); arms not
    /// listed follow in their usual order.
    pub arm_order: Vec<String>,
    /// How tables and plots print SOCs and terms (`--term-case`); the JSON keeps them as coded.
    pub term_case: super::TermCase,
}

impl Default for AeSpec {
    fn default() -> Self {
        AeSpec {
            arms: ArmChoice::default(),
            subject_id: None,
            arm: None,
            ae_subject: None,
            soc: None,
            term: None,
            teae: false,
            serious: false,
            severity: Vec::new(),
            rows: AeRows::default(),
            min_percent: None,
            strata: None,
            level: 0.95,
            methods: MethodChoice::Recommended,
            arm_order: Vec::new(),
            term_case: super::TermCase::AsCoded,
        }
    }
}

fn pick(file: &CsvFile, flag: &str, given: &Option<String>, candidates: &[&str]) -> Result<String> {
    match given {
        Some(c) => require_column(&file.name, flag, c, &file.columns),
        None => candidates
            .iter()
            .find_map(|c| file.columns.iter().find(|h| h.eq_ignore_ascii_case(c)).cloned())
            .ok_or_else(|| Error::File {
                file: file.name.clone(),
                message: format!("no {} column recognised (looked for {}); name it with {flag}; columns present: {}", &flag[2..], candidates.join(", "), file.columns.join(", ")),
            }),
    }
}

/// Interned labels.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.ids.insert(s.to_string(), i);
        self.names.push(s.to_string());
        i
    }
}

/// One row of the table: counts per arm (in [`Arms::all`] order) and per stratum.
struct Row {
    soc: Option<String>,
    term: Option<String>,
    /// [arm] subjects
    counts: Vec<u64>,
    /// [stratum][arm] subjects
    by_stratum: Vec<Vec<u64>>,
    /// [arm] event records
    events: Vec<u64>,
}

/// The CI methods of each measure of an AE table row.
struct AeMethods {
    proportion: Vec<Method>,
    risk_ratio: Vec<Method>,
    odds_ratio: Vec<Method>,
    risk_difference: Vec<Method>,
}

impl AeMethods {
    /// From the user's choice: each measure's recommended method unless named; odds ratios only
    /// when an odds-ratio method is named, or with `all`.
    fn of(choice: &MethodChoice) -> Result<AeMethods> {
        choice.validate("ae", &[Measure::Proportion, Measure::RiskRatio, Measure::OddsRatio, Measure::RiskDifference, Measure::FisherExact])?;
        let or_named = match choice {
            MethodChoice::Recommended => false,
            MethodChoice::All => true,
            MethodChoice::Named(list) => list.iter().any(|m| Measure::OddsRatio.methods().contains(m)),
        };
        Ok(AeMethods {
            proportion: choice.for_measure(Measure::Proportion),
            risk_ratio: choice.for_measure(Measure::RiskRatio),
            odds_ratio: if or_named { choice.for_measure(Measure::OddsRatio) } else { Vec::new() },
            risk_difference: choice.for_measure(Measure::RiskDifference),
        })
    }

    /// "risk ratio: koopman CI; risk difference: newcombe CI" for the notes.
    fn describe(&self) -> String {
        let names = |v: &[Method]| v.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
        let mut parts = vec![format!("risk ratio: {} CI", names(&self.risk_ratio))];
        if !self.odds_ratio.is_empty() {
            parts.push(format!("odds ratio: {} CI", names(&self.odds_ratio)));
        }
        parts.push(format!("risk difference: {} CI", names(&self.risk_difference)));
        parts.join("; ")
    }
}

/// Per-arm and per-stratum counts of distinct subjects, and per-arm counts of event records:
/// (subjects by arm, subjects by stratum and arm, records by arm).
type Counts = (Vec<u64>, Vec<Vec<u64>>, Vec<u64>);

/// Distinct subjects with an event, for any event, each SOC and each (SOC, term) pair, from the
/// (SOC, term, subject) triples of the records kept. Records are grouped by subject with a
/// counting sort, then each subject counts once per SOC and per pair (stamp arrays): linear in
/// the records, no hashing or sorting of pairs.
fn distinct_subjects(triples: &[(u32, u32, u32)], subj_info: &[(usize, u32)], n_soc: usize, na: usize, ns: usize) -> (Counts, HashMap<u64, Counts>, HashMap<u64, Counts>) {
    // (SOC, term) pairs numbered densely: per term, its SOCs (usually one) and their pair ids.
    let n_term = triples.iter().map(|t| t.1 as usize + 1).max().unwrap_or(0);
    let mut socs_of: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n_term];
    let mut pair_key: Vec<u64> = Vec::new();
    let pair: Vec<u32> = triples
        .iter()
        .map(|t| {
            let list = &mut socs_of[t.1 as usize];
            match list.iter().find(|(s, _)| *s == t.0) {
                Some(&(_, id)) => id,
                None => {
                    let id = pair_key.len() as u32;
                    pair_key.push((u64::from(t.0) << 32) | u64::from(t.1));
                    list.push((t.0, id));
                    id
                }
            }
        })
        .collect();
    // Records by subject.
    let n_subj = subj_info.len();
    let mut start = vec![0usize; n_subj + 1];
    for t in triples {
        start[t.2 as usize + 1] += 1;
    }
    for i in 0..n_subj {
        start[i + 1] += start[i];
    }
    let mut at = start.clone();
    let mut order = vec![0u32; triples.len()];
    for (i, t) in triples.iter().enumerate() {
        order[at[t.2 as usize]] = i as u32;
        at[t.2 as usize] += 1;
    }
    let width = ns * na;
    let mut any = vec![0u64; width];
    let mut soc = vec![0u64; n_soc * width];
    let mut pairs = vec![0u64; pair_key.len() * width];
    // Records (events) per arm: any, by SOC, by pair.
    let (mut any_ev, mut soc_ev, mut pair_ev) = (vec![0u64; na], vec![0u64; n_soc * na], vec![0u64; pair_key.len() * na]);
    let (mut soc_stamp, mut pair_stamp) = (vec![u32::MAX; n_soc], vec![u32::MAX; pair_key.len()]);
    for s in 0..n_subj {
        let (k, st) = subj_info[s];
        let cell = st as usize * na + k;
        if start[s + 1] > start[s] {
            any[cell] += 1;
        }
        any_ev[k] += (start[s + 1] - start[s]) as u64;
        for &i in &order[start[s]..start[s + 1]] {
            let (so, pa) = (triples[i as usize].0 as usize, pair[i as usize] as usize);
            soc_ev[so * na + k] += 1;
            pair_ev[pa * na + k] += 1;
            if soc_stamp[so] != s as u32 {
                soc_stamp[so] = s as u32;
                soc[so * width + cell] += 1;
            }
            if pair_stamp[pa] != s as u32 {
                pair_stamp[pa] = s as u32;
                pairs[pa * width + cell] += 1;
            }
        }
    }
    let counts = |v: &[u64], events: &[u64]| -> Counts {
        let by_stratum: Vec<Vec<u64>> = v.chunks(na).map(<[u64]>::to_vec).collect();
        let total = (0..na).map(|k| by_stratum.iter().map(|r| r[k]).sum()).collect();
        (total, by_stratum, events.to_vec())
    };
    let seen = |v: &[u64]| v.iter().any(|&x| x > 0);
    let by_soc = (0..n_soc)
        .filter(|&i| seen(&soc[i * width..(i + 1) * width]))
        .map(|i| (i as u64, counts(&soc[i * width..(i + 1) * width], &soc_ev[i * na..(i + 1) * na])))
        .collect();
    let by_term = pair_key.iter().enumerate().map(|(i, &key)| (key, counts(&pairs[i * width..(i + 1) * width], &pair_ev[i * na..(i + 1) * na]))).collect();
    (counts(&any, &any_ev), by_soc, by_term)
}

/// Build the AE incidence table; `ae` is the AE file (its `--where` filter applies to AE
/// records), `subjects` the subject file (its filter defines the population; with none, and a
/// `SAFFL` column present, the safety population `SAFFL = 'Y'` is used).
pub fn ae_table(ae: &CsvFile, subjects: &CsvFile, spec: &AeSpec) -> Result<Report> {
    let level = check_level(spec.level)?;
    if let Some(m) = spec.min_percent.filter(|m| !(0.0..=100.0).contains(m)) {
        return Err(Error::invalid("--min-percent", m, "a percentage from 0 to 100"));
    }
    let methods = AeMethods::of(&spec.methods)?;
    let mut notes = Vec::new();
    let sid = pick(subjects, "--subject", &spec.subject_id, &["USUBJID", "subject", "subjid", "subject_id", "patient", "id"])?;
    let arm_col = pick(subjects, "--arm", &spec.arm, &["TRT01A", "TRT01P", "ARM", "arm", "group", "treatment", "trt"])?;
    let strata_col = spec.strata.as_ref().map(|s| require_column(&subjects.name, "--strata", s, &subjects.columns)).transpose()?;
    let mut population = subjects.clone();
    if population.filter.is_none() && subjects.columns.iter().any(|c| c == "SAFFL") {
        population = population.with_filter("SAFFL = 'Y'")?;
        notes.push("Population: SAFFL = 'Y' (the safety population; choose another with --subjects-where).".to_string());
    } else if let Some(f) = &population.filter {
        notes.push(format!("Population: {}.", f.text));
    }
    let cols: Vec<&str> = [Some(sid.as_str()), Some(arm_col.as_str()), strata_col.as_deref()].into_iter().flatten().collect();
    // One read of the subject file: every subject (to tell "absent" from "outside the
    // population"), then the population's rows.
    let st = population.load(&cols)?;
    let pop = read_population(&population, &st, &sid, &arm_col, strata_col.as_deref(), &spec.arms, &spec.arm_order)?;
    if let Some(n) = &pop.arms.note {
        notes.push(n.clone());
    }
    let rec = read_records(ae, spec, &pop, &sid, &subjects.name)?;
    notes.extend(rec.notes(ae));
    let rows = table_rows(&rec, spec, &pop);
    if let Some(m) = spec.min_percent {
        notes.push(format!("Rows shown: SOCs and terms reaching {}% of subjects in at least one arm (and the SOC of every term shown).", crate::fmt::trim_num(m, 6)));
    }
    let results = compare_rows(&rows, &pop, &methods, strata_col.is_some(), level)?;
    let all_arms = pop.arms.all();
    let control = all_arms.len() - 1;
    if let Some(s) = &strata_col {
        let used: Vec<&str> = (0..pop.n_strata()).filter(|&st| (0..control).all(|t| pop.strata_n[st][t] > 0) && pop.strata_n[st][control] > 0).map(|st| pop.strata.names[st].as_str()).collect();
        notes.push(format!("Stratified by '{s}' of the subject file: {} strata ({}); strata without subjects in both arms of a comparison are left out of it.", used.len(), used.join(", ")));
    }
    notes.push(format!("Ratios and differences are each arm vs {} ({}; Fisher's exact test, two-sided).", pop.arms.control, methods.describe()));

    let arm_json: serde_json::Map<String, serde_json::Value> = all_arms.iter().zip(&pop.denominators).map(|(a, n)| (a.to_string(), json!(n))).collect();
    let inputs = json!({
        "ae_file": ae.name,
        "subject_file": subjects.name,
        "ae_where": ae.filter.as_ref().map(|f| f.text.clone()),
        "population": population.filter.as_ref().map(|f| f.text.clone()),
        "arm_column": arm_col,
        "arms": {"treatment": pop.arms.treatments, "control": pop.arms.control},
        "denominators": arm_json,
        "columns": {"subject": rec.columns[0], "soc": rec.columns[1], "term": rec.columns[2]},
        "teae": spec.teae,
        "serious": spec.serious,
        "severity": spec.severity,
        "min_percent": spec.min_percent,
        "strata_column": strata_col,
        "records_used": rec.kept,
        "level": level,
    });
    let layout = Layout {
        title: format!("{} with denominators from {} ({})", ae.name, subjects.name, all_arms.iter().zip(&pop.denominators).map(|(a, n)| format!("{a} N = {n}")).collect::<Vec<_>>().join(", ")),
        comparison: String::new(),
        groups: all_arms.iter().zip(&pop.denominators).map(|(a, n)| GroupRow { label: a.to_string(), count: String::new(), denominator: n.to_string() }).collect(),
        rate_scale: None,
        denominator_name: "N".into(),
        table: super::TableKind::AeRows,
        single_sample: false,
        time_unit: None,
        favours: None,
        term_case: spec.term_case,
    };
    // Patient flow, control first: the arm's subjects in the subject file, those in the
    // population (the denominators), and those outside it.
    let outside = population.filter.as_ref().map_or_else(|| "not in the population".to_string(), |f| format!("not in the population ({})", f.text));
    let flow = pop
        .arms
        .shown_order()
        .map(|k| super::FlowRow {
            group: all_arms[k].to_string(),
            subset: Default::default(),
            in_file: pop.in_file[k],
            analysed: pop.denominators[k],
            excluded: vec![super::Excluded { reason: outside.clone(), n: pop.in_file[k].saturating_sub(pop.denominators[k]) }].into_iter().filter(|x| x.n > 0).collect(),
            imputed: Vec::new(),
        })
        .collect();
    Ok(Report { results, notes, flow, ..Report::new("ae", inputs, layout) })
}

/// The population of the subject file: the arms analysed, each subject's arm and stratum,
/// and the denominators (per arm, and per stratum and arm).
struct Population<'t> {
    arms: Arms,
    /// Every subject identifier of the subject file (in or out of the population).
    all_ids: std::collections::HashSet<&'t str, FastHash>,
    /// Subject → (arm position, stratum id), for the population's subjects of the arms analysed.
    subject_arm: HashMap<&'t str, (usize, u32), FastHash>,
    denominators: Vec<u64>,
    /// Subjects of each arm in the whole subject file (in or out of the population).
    in_file: Vec<u64>,
    strata: Interner,
    strata_n: Vec<Vec<u64>>,
}

impl Population<'_> {
    fn n_strata(&self) -> usize {
        self.strata.names.len().max(1)
    }
}

/// Read the population's subjects from the subject table `st` (one row per subject: a second
/// row of a subject is an error naming both lines).
fn read_population<'t>(population: &CsvFile, st: &'t crate::ingest::reader::Table, sid: &str, arm_col: &str, strata_col: Option<&str>, choice: &ArmChoice, arm_order: &[String]) -> Result<Population<'t>> {
    let sid_c = column(st, sid)?;
    let arm_c = column(st, arm_col)?;
    let strata_c = strata_col.map(|c| column(st, c)).transpose()?;
    let pop_rows = population.select(st, &[])?;
    let present = crate::ingest::table::value_counts_in(st, pop_rows.iter().copied(), arm_col)?;
    let filter = population.filter.as_ref().map(|f| f.text.as_str());
    if present.is_empty() {
        return Err(Error::Data {
            file: population.name.clone(),
            line: 0,
            column: arm_col.to_string(),
            value: String::new(),
            message: format!("no subject with an arm is left in the population{}", filter.map(|f| format!(" ({f})")).unwrap_or_default()),
        });
    }
    let mut arms: Arms = resolve_counted(&population.name, arm_col, &present, choice, filter)?;
    arms.reorder(arm_order, &population.name, arm_col)?;
    let na = arms.all().len();
    let mut strata = Interner::default();
    let mut subject_arm: HashMap<&str, (usize, u32), FastHash> = HashMap::default();
    let mut denominators = vec![0u64; na];
    let mut first_line: Vec<u64> = vec![0; sid_c.distinct()];
    for &r in &pop_rows {
        let line = st.line(r);
        let code = sid_c.code(r);
        if code == 0 {
            continue;
        }
        let s = sid_c.entry(code);
        if first_line[code as usize] != 0 {
            return Err(Error::Data {
                file: population.name.clone(),
                line,
                column: sid.to_string(),
                value: s.to_string(),
                message: format!("subject appears twice in the subject file (lines {} and {line}); it needs one row per subject", first_line[code as usize]),
            });
        }
        first_line[code as usize] = line;
        let Some(k) = arm_c.text(r).and_then(|a| arms.position(a)) else { continue };
        let stratum = strata_c.map_or(0, |c| strata.id(c.text(r).unwrap_or("(missing)")));
        subject_arm.insert(s, (k, stratum));
        denominators[k] += 1;
    }
    let mut strata_n = vec![vec![0u64; na]; strata.names.len().max(1)];
    for &(k, stratum) in subject_arm.values() {
        strata_n[stratum as usize][k] += 1;
    }
    let all_ids = (1..sid_c.distinct() as u32).map(|c| sid_c.entry(c)).collect();
    let mut in_file = vec![0u64; na];
    for r in 0..st.rows {
        if let Some(k) = arm_c.text(r).and_then(|a| arms.position(a)) {
            in_file[k] += 1;
        }
    }
    Ok(Population { arms, all_ids, subject_arm, denominators, in_file, strata, strata_n })
}

/// The AE records kept, joined to their subjects: (SOC, term, subject) triples, subjects
/// numbered in order of their first record with their (arm, stratum).
struct Records {
    /// Subject, SOC and term columns of the AE file.
    columns: [String; 3],
    socs: Interner,
    terms: Interner,
    subjects: Vec<(usize, u32)>,
    triples: Vec<(u32, u32, u32)>,
    kept: u64,
    outside: u64,
    uncoded: u64,
    /// What the record filters kept (treatment-emergent, serious, severity).
    filters: Vec<String>,
}

impl Records {
    fn notes(&self, ae: &CsvFile) -> Vec<String> {
        let mut what = self.filters.clone();
        if let Some(f) = &ae.filter {
            what.push(format!("rows kept: {}", f.text));
        }
        let mut notes = vec![format!(
            "Subjects with at least one event; AE records used: {}{}.",
            self.kept,
            if what.is_empty() { String::new() } else { format!(" ({})", what.join("; ")) }
        )];
        if self.outside > 0 {
            notes.push(format!("{} AE records of subjects outside the population or the arms analysed were left out.", self.outside));
        }
        if self.uncoded > 0 {
            notes.push(format!("{} AE records without a SOC or preferred term are counted as '(not coded)'.", self.uncoded));
        }
        notes
    }
}

/// The record filters asked for (TEAE, serious, severity): for each, the index of its column
/// (appended to `cols`), the values that pass, and how it reads in the notes.
fn record_filters(ae: &CsvFile, spec: &AeSpec, cols: &mut Vec<String>) -> Result<Vec<(usize, Vec<String>, String)>> {
    let mut wanted: Vec<(&str, Vec<String>, String)> = Vec::new();
    if spec.teae {
        wanted.push(("TRTEMFL", vec!["Y".into()], "treatment-emergent (TRTEMFL = Y)".into()));
    }
    if spec.serious {
        wanted.push(("AESER", vec!["Y".into()], "serious (AESER = Y)".into()));
    }
    if !spec.severity.is_empty() {
        wanted.push(("AESEV", spec.severity.clone(), format!("severity {}", spec.severity.join(" or "))));
    }
    wanted
        .into_iter()
        .map(|(name, values, what)| {
            cols.push(require_column(&ae.name, name, name, &ae.columns)?);
            Ok((cols.len() - 1, values, what))
        })
        .collect()
}

/// Read the AE file's records that pass the filters and join each to its subject's arm. A
/// record of a subject absent from the subject file is an error naming its line.
fn read_records(ae: &CsvFile, spec: &AeSpec, pop: &Population, sid: &str, subject_file: &str) -> Result<Records> {
    let ae_sid = pick(ae, "--ae-subject", &spec.ae_subject, &["USUBJID", sid])?;
    let soc_col = pick(ae, "--soc", &spec.soc, &["AEBODSYS", "AESOC", "soc"])?;
    let term_col = pick(ae, "--term", &spec.term, &["AEDECOD", "AEPT", "AETERM", "term", "pt"])?;
    let mut ae_cols: Vec<String> = vec![ae_sid.clone(), soc_col.clone(), term_col.clone()];
    let filters = record_filters(ae, spec, &mut ae_cols)?;
    let refs: Vec<&str> = ae_cols.iter().map(String::as_str).collect();
    let at = ae.load(&refs)?;
    let keep_row = ae.selector(&at, &[])?;
    let recs: Vec<&Column> = refs.iter().map(|c| column(&at, c)).collect::<Result<_>>()?;
    // Per code of each filter column: whether it passes (values compared without case).
    let passes: Vec<(&Column, Vec<bool>)> = filters
        .iter()
        .map(|(k, values, _)| {
            let c = recs[*k];
            (c, (0..c.distinct() as u32).map(|code| code != 0 && values.iter().any(|x| x.eq_ignore_ascii_case(c.entry(code).trim()))).collect())
        })
        .collect();
    // Per AE subject code: its arm and stratum, resolved once.
    let ae_subj = recs[0];
    let lookup: Vec<Option<(usize, u32)>> = (0..ae_subj.distinct() as u32).map(|code| pop.subject_arm.get(ae_subj.entry(code)).copied()).collect();
    let mut out = Records {
        columns: [ae_sid, soc_col, term_col],
        socs: Interner::default(),
        terms: Interner::default(),
        subjects: Vec::new(),
        triples: Vec::new(),
        kept: 0,
        outside: 0,
        uncoded: 0,
        filters: filters.iter().map(|(_, _, w)| w.clone()).collect(),
    };
    let (mut soc_id, mut term_id) = (vec![u32::MAX; recs[1].distinct()], vec![u32::MAX; recs[2].distinct()]);
    let mut subj_index: Vec<u32> = vec![u32::MAX; ae_subj.distinct()];
    for r in (0..at.rows).filter(|&r| keep_row(r)) {
        if !passes.iter().all(|(c, ok)| ok[c.code(r) as usize]) {
            continue;
        }
        let code = ae_subj.code(r);
        if code == 0 {
            return Err(Error::Data { file: ae.name.clone(), line: at.line(r), column: out.columns[0].clone(), value: String::new(), message: "missing subject identifier".into() });
        }
        let Some((k, stratum)) = lookup[code as usize] else {
            let s = ae_subj.entry(code);
            if !pop.all_ids.contains(s) {
                let hint = crate::ingest::closest(s, pop.all_ids.iter().copied()).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
                return Err(Error::Data {
                    file: ae.name.clone(),
                    line: at.line(r),
                    column: out.columns[0].clone(),
                    value: s.to_string(),
                    message: format!("subject is not in the subject file {subject_file}{hint}; check that both files are of the same study and use the same identifier"),
                });
            }
            out.outside += 1;
            continue;
        };
        out.kept += 1;
        let (sc, tc) = (recs[1].code(r), recs[2].code(r));
        out.uncoded += u64::from(sc == 0 || tc == 0);
        if soc_id[sc as usize] == u32::MAX {
            soc_id[sc as usize] = out.socs.id(if sc == 0 { "(not coded)" } else { recs[1].entry(sc) });
        }
        if term_id[tc as usize] == u32::MAX {
            term_id[tc as usize] = out.terms.id(if tc == 0 { "(not coded)" } else { recs[2].entry(tc) });
        }
        if subj_index[code as usize] == u32::MAX {
            subj_index[code as usize] = out.subjects.len() as u32;
            out.subjects.push((k, stratum));
        }
        out.triples.push((soc_id[sc as usize], term_id[tc as usize], subj_index[code as usize]));
    }
    Ok(out)
}

/// The table's rows in order (see the module doc): distinct subjects per row, rows below
/// `min_percent` in every arm left out (a SOC stays when one of its terms is shown).
fn table_rows(rec: &Records, spec: &AeSpec, pop: &Population) -> Vec<Row> {
    let na = pop.denominators.len();
    let (any, by_soc, by_term) = distinct_subjects(&rec.triples, &rec.subjects, rec.socs.names.len(), na, pop.n_strata());
    let reaches = |counts: &[u64]| -> bool {
        match spec.min_percent {
            None => true,
            Some(m) => counts.iter().zip(&pop.denominators).any(|(&c, &n)| n > 0 && 100.0 * c as f64 / n as f64 >= m),
        }
    };
    let total = |c: &Counts| -> u64 { c.0.iter().sum() };
    let row = |soc: Option<String>, term: Option<String>, c: &Counts| Row { soc, term, counts: c.0.clone(), by_stratum: c.1.clone(), events: c.2.clone() };
    let mut rows: Vec<Row> = vec![row(None, Some(ANY_EVENT.into()), &any)];
    let mut soc_list: Vec<(&String, u64)> = by_soc.keys().map(|&k| (&rec.socs.names[k as usize], k)).collect();
    soc_list.sort_by(|a, b| total(&by_soc[&b.1]).cmp(&total(&by_soc[&a.1])).then_with(|| a.0.cmp(b.0)));
    // Terms (of one SOC, or all), by decreasing count, then term, then SOC.
    let terms_of = |soc: Option<u32>| -> Vec<(String, String, u64)> {
        let mut v: Vec<(String, String, u64)> = by_term
            .keys()
            .filter(|&&k| soc.is_none_or(|s| (k >> 32) as u32 == s))
            .map(|&k| (rec.socs.names[(k >> 32) as usize].clone(), rec.terms.names[(k & 0xffff_ffff) as usize].clone(), k))
            .collect();
        v.sort_by(|a, b| total(&by_term[&b.2]).cmp(&total(&by_term[&a.2])).then_with(|| a.1.cmp(&b.1)).then_with(|| a.0.cmp(&b.0)));
        v
    };
    if spec.rows == AeRows::Term {
        for (soc, term, k) in terms_of(None) {
            if reaches(&by_term[&k].0) {
                rows.push(row(Some(soc), Some(term), &by_term[&k]));
            }
        }
        return rows;
    }
    for (soc, id) in soc_list {
        let term_rows: Vec<Row> = if spec.rows == AeRows::SocAndTerm {
            terms_of(Some(id as u32)).into_iter().filter(|(_, _, k)| reaches(&by_term[k].0)).map(|(soc, term, k)| row(Some(soc), Some(term), &by_term[&k])).collect()
        } else {
            Vec::new()
        };
        if reaches(&by_soc[&id].0) || !term_rows.is_empty() {
            rows.push(row(Some(soc.clone()), None, &by_soc[&id]));
            rows.extend(term_rows);
        }
    }
    rows
}

/// Each row's per-arm proportions and each arm against the control (RR, OR, RD, Fisher; MH
/// estimates and Breslow-Day over the strata where asked for).
fn compare_rows(rows: &[Row], pop: &Population, methods: &AeMethods, stratified: bool, level: f64) -> Result<Vec<Estimate>> {
    let all_arms = pop.arms.all();
    let control = all_arms.len() - 1;
    let n = &pop.denominators;
    let mut results = Vec::new();
    for row in rows {
        let subset = Subset { soc: row.soc.clone(), term: row.term.clone(), ..Default::default() };
        for (k, label) in all_arms.iter().enumerate() {
            let x = BinomialCount::new(row.counts[k], n[k])?;
            for &m in &methods.proportion {
                push_as(&mut results, Measure::Proportion, m, proportion::proportion(&x, m, level).map(|e| Estimate { events: Some(row.events[k]), ..e }), label, &subset)?;
            }
        }
        for t in 0..control {
            let g = format!("{} vs {}", all_arms[t], all_arms[control]);
            let table = TwoByTwo::new(BinomialCount::new(row.counts[t], n[t])?, BinomialCount::new(row.counts[control], n[control])?);
            for &m in &methods.risk_ratio {
                push_as(&mut results, Measure::RiskRatio, m, two_by_two::risk_ratio(&table, m, level), &g, &subset)?;
            }
            for &m in &methods.odds_ratio {
                push_as(&mut results, Measure::OddsRatio, m, two_by_two::odds_ratio(&table, m, level), &g, &subset)?;
            }
            for &m in &methods.risk_difference {
                push_as(&mut results, Measure::RiskDifference, m, two_by_two::risk_difference(&table, m, level), &g, &subset)?;
            }
            push_as(&mut results, Measure::FisherExact, Method::Exact, exact::fisher_exact(&table, level), &g, &subset)?;
            if stratified {
                let strata = row_strata(row, pop, t, control)?;
                if strata.is_empty() {
                    continue;
                }
                push_as(&mut results, Measure::MhRiskRatio, Method::GreenlandRobins, stratified::mh_risk_ratio(&strata, level), &g, &subset)?;
                push_as(&mut results, Measure::MhOddsRatio, Method::RobinsBreslowGreenland, stratified::mh_odds_ratio(&strata, level), &g, &subset)?;
                push_as(&mut results, Measure::MhRiskDifference, Method::Sato, stratified::mh_risk_difference(&strata, Method::Sato, level), &g, &subset)?;
                push_as(&mut results, Measure::BreslowDay, Method::Tarone, stratified::breslow_day(&strata, Method::Tarone), &g, &subset)?;
            }
        }
    }
    Ok(results)
}

/// A row's 2×2 table per stratum for arm `t` against `control`, leaving out strata without
/// subjects in both arms.
fn row_strata(row: &Row, pop: &Population, t: usize, control: usize) -> Result<Vec<Stratum>> {
    (0..pop.n_strata())
        .filter(|&st| pop.strata_n[st][t] > 0 && pop.strata_n[st][control] > 0)
        .map(|st| {
            Ok(Stratum {
                label: pop.strata.names[st].clone(),
                table: TwoByTwo::new(BinomialCount::new(row.by_stratum[st][t], pop.strata_n[st][t])?, BinomialCount::new(row.by_stratum[st][control], pop.strata_n[st][control])?),
            })
        })
        .collect()
}
