//! `trialstat report SPEC.toml --out DIR`: run a study spec's analyses and plots and write
//! every table (CSV, JSON, Markdown), every plot (SVG, PNG), a self-contained `index.html` and
//! a `manifest.json` listing every output with its SHA-256.
//!
//! * Everything is computed in memory first: a spec or data problem stops the run before any
//!   file is written.
//! * The folder is written atomically ([`write`]): files go to a securely created temporary
//!   sibling folder that is swapped into place at the end, so a failure or a kill at any moment
//!   leaves the old complete report or the new one at DIR. An existing DIR is replaced only with
//!   `force`, and only when it is a trialstat report (it has trialstat's `manifest.json`).
//! * CSV tables have cells a spreadsheet would run as formulas neutralised
//!   ([`render::csv_cell`]) unless the spec says `csv_raw = true`.
//! * Output is byte-identical from run to run: no timestamps, sorted manifest, deterministic
//!   plots; paths in the outputs are the spec's own (relative), not the machine's.
//! * Text from the data (arm names, AE terms, notes) is HTML-escaped in `index.html`; plots are
//!   embedded as PNG data URIs, never as inline SVG.

pub mod methods;
pub mod spec;
pub mod write;

pub use write::{check_target, write_atomic};

use crate::analysis::arms::Arms;
use crate::analysis::counts::CountOptions;
use crate::analysis::Report;
use crate::error::{Error, Result};
use crate::ingest::layout::Overrides;
use crate::ingest::subjects::{Aggregate, SubjectPairs, ValueSource};
use crate::ingest::table::CsvFile;
use crate::plot::{self, from_report, Figure};
use crate::render::{self, Format};
use sha2::{Digest, Sha256};
use spec::{AnalysisKind, AnalysisSpec, PlotKind, Spec};
use std::path::{Path, PathBuf};

/// The bundled default study: the headache trial (Vickers et al., BMJ 2004; data CC BY 4.0).
pub const DEFAULT_SPEC: &str = include_str!("../../datasets/acupuncture_headache/study.toml");
/// The headache trial's data, embedded so that `trialstat report` works from any folder.
pub const DEFAULT_DATA: &str = include_str!("../../datasets/acupuncture_headache/acupuncture_headache.csv");
/// File name of the embedded data as the default spec names it.
pub const DEFAULT_DATA_NAME: &str = "acupuncture_headache.csv";

/// One output file.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// One analysis's results, and what its plots need.
struct Done {
    name: String,
    spec: AnalysisSpec,
    report: Report,
    /// Per-subject baseline/follow-up (responders and change with a baseline), for waterfall and box plots.
    pairs: Option<(SubjectPairs, Arms)>,
}

/// Run a parsed spec whose relative paths are resolved against `base`; `spec_name` and
/// `spec_text` are echoed into the outputs.
pub fn run(spec: &Spec, spec_name: &str, spec_text: &str, base: &Path) -> Result<Vec<Output>> {
    let files = load_data(&spec.data, spec_name, spec_text, base)?;
    preload(&files, &spec.analyses, spec_name, spec_text)?;
    let progress = crate::progress::bar((spec.analyses.len() + spec.plots.len()) as u64, "");
    progress.message("analyses".to_string());
    let run_one = |a: &AnalysisSpec| {
        let (f, o, _) = &files[a.data.get_ref()];
        let plotted = spec.plots.iter().any(|p| p.analysis.get_ref() == a.name.get_ref());
        run_analysis(a, f, o, &files, plotted)
    };
    // Analyses are independent (they share the tables read above): side by side on every
    // core, results in spec order, so the output and the first error do not depend on the
    // thread count.
    let results = crate::par::map(&spec.analyses, run_one);
    let mut done: Vec<Done> = Vec::new();
    for (a, r) in spec.analyses.iter().zip(results) {
        let ctx = |e: Error| spec::spec_context(spec_name, spec_text, Some(a.name.span().start), format!("analysis '{}': {}", a.name.get_ref(), strip_flags(&e.to_string())), e);
        let (report, pairs) = r.map_err(ctx)?;
        done.push(Done { name: a.name.get_ref().clone(), spec: a.clone(), report, pairs });
        progress.next("");
    }
    // Descriptive tables ("Table 1"), in spec order.
    let mut described: Vec<(String, String, Report)> = Vec::new();
    for t in &spec.tables {
        let ctx = |e: Error| spec::spec_context(spec_name, spec_text, Some(t.name.span().start), format!("table '{}': {}", t.name.get_ref(), strip_flags(&e.to_string())), e);
        let (f, o, _) = &files[t.data.get_ref()];
        let report = crate::analysis::baseline::baseline_file(f, o, &baseline_request(t).map_err(ctx)?).map_err(ctx)?;
        described.push((t.name.get_ref().clone(), t.title.clone().unwrap_or_else(|| "Baseline characteristics".into()), report));
    }
    let mut figures: Vec<(String, String, Figure)> = Vec::new();
    for p in &spec.plots {
        progress.message(format!("plot {}", p.name.get_ref()));
        let ctx = |e: Error| spec::spec_error(spec_name, spec_text, Some(p.name.span().start), format!("plot '{}': {}", p.name.get_ref(), e));
        let d = done.iter().find(|d| &d.name == p.analysis.get_ref()).ok_or_else(|| ctx(Error::invalid("analysis", p.analysis.get_ref(), "a defined analysis")))?;
        let fig = draw(p, d).map_err(ctx)?;
        let title = p.title.clone().unwrap_or_else(|| p.name.get_ref().clone());
        figures.push((p.name.get_ref().clone(), title, fig));
        progress.next("");
    }
    drop(progress);

    let mut out: Vec<Output> = Vec::new();
    let cells = if spec.csv_raw { render::CsvCells::Raw } else { render::CsvCells::Neutralised };
    for (name, report) in described.iter().map(|(n, _, r)| (n, r)).chain(done.iter().map(|d| (&d.name, &d.report))) {
        for (ext, fmt) in [("csv", Format::Csv), ("json", Format::Json), ("md", Format::Markdown), ("rtf", Format::Rtf)] {
            out.push(Output { path: format!("tables/{name}.{ext}"), bytes: render::render_with(report, fmt, cells).into_bytes() });
        }
    }
    for (name, _, fig) in &figures {
        out.push(Output { path: format!("plots/{name}.svg"), bytes: fig.svg.clone().into_bytes() });
        out.push(Output { path: format!("plots/{name}.png"), bytes: fig.png.clone() });
    }
    out.push(Output { path: "spec.toml".into(), bytes: spec_text.as_bytes().to_vec() });
    let data_hashes: Vec<(String, String)> = spec.data.keys().map(|k| (files[k].0.name.clone(), files[k].2.clone())).collect();
    out.push(Output { path: "index.html".into(), bytes: index_html(spec, spec_text, &data_hashes, &described, &done, &figures).into_bytes() });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = serde_json::json!({
        "trialstat_version": crate::analysis::VERSION,
        "title": spec.title,
        "spec": {"file": spec_name, "sha256": sha256_hex(spec_text.as_bytes())},
        "data": data_hashes.iter().map(|(f, h)| serde_json::json!({"file": f, "sha256": h})).collect::<Vec<_>>(),
        "outputs": out.iter().map(|o| serde_json::json!({"path": o.path, "bytes": o.bytes.len(), "sha256": sha256_hex(&o.bytes)})).collect::<Vec<_>>(),
    });
    let mut m = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    m.push('\n');
    out.push(Output { path: "manifest.json".into(), bytes: m.into_bytes() });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// SHA-256 of a file's bytes, read in 1 MiB blocks (never the whole file in memory).
fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Data files of a spec (or claims file): open each (header), apply its filter, hash its bytes.
pub(crate) type DataFiles = std::collections::BTreeMap<String, (CsvFile, Overrides, String)>;

pub(crate) fn load_data(data: &std::collections::BTreeMap<String, spec::DataSpec>, spec_name: &str, spec_text: &str, base: &Path) -> Result<DataFiles> {
    let mut files: DataFiles = std::collections::BTreeMap::new();
    for (key, d) in data {
        let path = base.join(d.file.get_ref());
        let ctx = |e: Error| spec::spec_context(spec_name, spec_text, Some(d.file.span().start), format!("[data.{key}] {}", strip_flags(&e.to_string())), e);
        let mut f = CsvFile::open(&path).map_err(ctx)?;
        let hash = sha256_file(&path).map_err(|e| ctx(Error::File { file: d.file.get_ref().clone(), message: format!("cannot read: {e}") }))?;
        f.name = d.file.get_ref().clone();
        if let Some(w) = &d.filter {
            f = f.with_filter(w).map_err(ctx)?;
        }
        let o = Overrides { subject: d.subject.clone(), arm: d.arm.clone(), visit: d.visit.clone(), param: d.param.clone(), value: d.value.clone(), site: d.site.clone() };
        files.insert(key.clone(), (f, o, hash));
    }
    Ok(files)
}

/// Read each data file once, before the analyses, with every column they name (as text or as
/// numbers) and the roles recognised in it: the analyses then read nothing more.
pub(crate) fn preload<'a>(files: &DataFiles, analyses: impl IntoIterator<Item = &'a AnalysisSpec> + Clone, spec_name: &str, spec_text: &str) -> Result<()> {
    for (key, (f, o, _)) in files {
        let mine: Vec<&AnalysisSpec> = analyses.clone().into_iter().filter(|a| a.data.get_ref() == key || a.subjects.as_ref() == Some(key)).collect();
        let Some(first) = mine.first() else { continue };
        let ctx = |e: Error| spec::spec_context(spec_name, spec_text, Some(first.data.span().start), format!("[data.{key}] {}", strip_flags(&e.to_string())), e);
        // A study-level file is read by the meta-analysis itself (one read, its own columns).
        if mine.iter().all(|a| a.kind == AnalysisKind::Meta) {
            continue;
        }
        // AE tables choose their columns (SOC, term, flags) from the file: read every column.
        if mine.iter().any(|a| matches!(a.kind, AnalysisKind::Ae)) {
            f.preload_all().map_err(ctx)?;
            continue;
        }
        // A file only bootstrapped needs no subject column (one value per row).
        let roles = if mine.iter().all(|a| a.kind == AnalysisKind::Bootstrap) {
            crate::ingest::layout::roles(&f.name, &f.columns, o).map_err(ctx)?
        } else {
            crate::ingest::layout::detect(&f.name, &f.columns, o).map_err(ctx)?.roles
        };
        let mut text: Vec<&str> = Vec::new();
        let mut numbers: Vec<&str> = Vec::new();
        for a in &mine {
            text.extend([&a.flag, &a.strata, &a.by_responder, &a.event, &a.censor].into_iter().flatten().map(String::as_str));
            text.extend(a.covariates.iter().map(String::as_str));
            numbers.extend([&a.baseline, &a.by_responder, &a.time, &a.value].into_iter().flatten().map(String::as_str));
            numbers.extend(a.followup.iter().map(String::as_str));
        }
        f.preload(&roles, text, numbers).map_err(ctx)?;
    }
    Ok(())
}

/// Library errors speak of command-line flags (`--baseline 'x'`); in a spec they are keys.
pub(crate) fn strip_flags(s: &str) -> String {
    s.replace(" --", " ").replace("'--", "'").trim_start_matches("--").to_string()
}

/// The `change` (or `endpoint`) request of an analysis's keys.
fn change_spec(a: &AnalysisSpec, level: f64) -> Result<crate::analysis::change::ChangeSpec> {
    use crate::analysis::change::{ChangeOptions, ChangeSpec};
    Ok(ChangeSpec {
        arms: arm_choice(a),
        baseline: a.baseline.clone(),
        baseline_visit: a.baseline_visit.clone(),
        followup: a.followup.clone(),
        followup_visits: a.followup_visit.clone(),
        aggregate: aggregate(a)?,
        params: a.paramcd.clone(),
        options: ChangeOptions {
            level,
            percent: a.percent.unwrap_or(true),
            covariates: a.covariates.clone(),
            quantile_type: a.quantile_type.unwrap_or(7),
            rank_method: a.rank_method.as_deref().map(|m| crate::analysis::change::parse_rank_method("rank_method", m)).transpose()?.flatten(),
            methods: crate::analysis::MethodChoice::parse("ci_method", &a.ci_method)?,
        },
    })
}

fn arm_choice(a: &AnalysisSpec) -> crate::analysis::arms::ArmChoice {
    crate::analysis::arms::ArmChoice { treatment: a.treatment.clone(), control: a.control.clone(), merge_variants: a.merge_arm_variants }
}

/// `labels = [TREATMENT, CONTROL]` for analyses that report arms by their values (change,
/// incidence): rename the arm in every result and summary (`1` → `acupuncture`, `1 vs 0` →
/// `acupuncture vs usual care`). Needs exactly one treatment and a named control.
fn relabel(r: &mut Report, a: &AnalysisSpec) {
    let (Some([lt, lc]), [t], Some(c)) = (&a.labels, a.treatment.as_slice(), &a.control) else {
        return;
    };
    let map = |g: &str| -> String {
        if g == t {
            lt.clone()
        } else if g == c {
            lc.clone()
        } else if g == format!("{t} vs {c}") {
            format!("{lt} vs {lc}")
        } else {
            g.to_string()
        }
    };
    for e in &mut r.results {
        if let Some(g) = &e.group {
            e.group = Some(map(g));
        }
    }
    for s in &mut r.summaries {
        s.group = map(&s.group);
    }
    for f in &mut r.flow {
        f.group = map(&f.group);
    }
    for g in &mut r.layout.groups {
        g.label = map(&g.label);
    }
    r.layout.title = r.layout.title.replace(&format!("({t} vs {c})"), &format!("({lt} vs {lc})"));
}

fn aggregate(a: &AnalysisSpec) -> Result<Option<Aggregate>> {
    match a.aggregate.as_deref() {
        None => Ok(None),
        Some("sum") => Ok(Some(Aggregate::Sum)),
        Some("mean") => Ok(Some(Aggregate::Mean)),
        Some(x) => Err(Error::invalid("aggregate", format!("'{x}'"), "sum or mean")),
    }
}

/// Baseline and follow-up sources of a responders/change analysis (first follow-up only).
fn sources(a: &AnalysisSpec) -> Result<Option<(ValueSource, ValueSource)>> {
    let b = match (&a.baseline_visit, &a.baseline) {
        (Some(v), _) => ValueSource::Visits { visits: vec![v.clone()], aggregate: Aggregate::Mean },
        (None, Some(c)) => ValueSource::Column(c.clone()),
        (None, None) => return Ok(None),
    };
    let f = if !a.followup_visit.is_empty() {
        match aggregate(a)? {
            Some(agg) => ValueSource::Visits { visits: a.followup_visit.clone(), aggregate: agg },
            None => ValueSource::Visits { visits: vec![a.followup_visit[0].clone()], aggregate: Aggregate::Mean },
        }
    } else if let Some(c) = a.followup.first() {
        ValueSource::Column(c.clone())
    } else {
        return Ok(None);
    };
    Ok(Some((b, f)))
}

fn subject_data(f: &CsvFile, o: &Overrides, a: &AnalysisSpec) -> Result<Option<(SubjectPairs, Arms)>> {
    use crate::ingest::layout::detect;
    let Some((b, fu)) = sources(a)? else {
        return Ok(None);
    };
    let d = detect(&f.name, &f.columns, o)?;
    let Some(arm) = d.roles.arm.clone() else {
        return Ok(None);
    };
    let arms = crate::analysis::arms::resolve_in_file(f, &arm, &arm_choice(a))?;
    let long = matches!(b, ValueSource::Visits { .. }) || matches!(fu, ValueSource::Visits { .. });
    let q = crate::ingest::subjects::PairQuery {
        arm,
        subject: d.roles.subject.clone(),
        visit: if long { d.roles.visit.clone() } else { None },
        param_column: if long { d.roles.param.clone() } else { None },
        value: if long { d.roles.value.clone() } else { None },
        param: a.paramcd.first().cloned(),
        baseline: Some(b),
        followup: Some(fu),
        ..Default::default()
    };
    let mut pairs = crate::ingest::subjects::subject_pairs(f, &q)?;
    let mut arms = arms;
    // Plots name the arms by their labels, as the tables do.
    if let (Some([lt, lc]), [t], Some(c)) = (&a.labels, a.treatment.as_slice(), &a.control) {
        pairs.arm.rename(|x| if x == t.as_str() { lt.clone() } else if x == c.as_str() { lc.clone() } else { x.to_string() });
        arms.treatments = vec![lt.clone()];
        arms.control = lc.clone();
    }
    Ok(Some((pairs, arms)))
}

/// Run one analysis of a spec; with `want_pairs`, also the per-subject values its plots need
/// (waterfall, box), which cost another pass over the rows and memory per subject. The spec
/// table becomes the library's typed request of its kind (the same the CLI builds).
pub(crate) fn run_analysis(a: &AnalysisSpec, f: &CsvFile, o: &Overrides, files: &DataFiles, want_pairs: bool) -> Result<(Report, Option<(SubjectPairs, Arms)>)> {
    let level = a.level.unwrap_or(0.95);
    let methods = crate::analysis::MethodChoice::parse("ci_method", &a.ci_method)?;
    if let Some(q) = a.quantile_type.filter(|q| !(1..=9).contains(q)) {
        return Err(Error::invalid("quantile_type", q, "a Hyndman–Fan type from 1 to 9 (R's quantile types; 7 is R's default)"));
    }
    if a.labels.is_some() && a.kind != AnalysisKind::Meta && (a.treatment.len() != 1 || a.control.is_none()) {
        return Err(Error::invalid("labels", format!("{:?}", a.labels.as_ref().map(|l| l.to_vec()).unwrap_or_default()), "two labels for two arms: name one treatment (treatment = [\"ARM\"]) and the control (control = \"ARM\")"));
    }
    let pairs = |r: Report, flagged: bool| -> Result<(Report, Option<(SubjectPairs, Arms)>)> {
        let p = if want_pairs && !flagged { subject_data(f, o, a)? } else { None };
        Ok((r, p))
    };
    let counts = CountOptions { level, methods: methods.clone(), ..Default::default() };
    match a.kind {
        AnalysisKind::Responders => {
            let (spec, opts) = responders_request(a, counts)?;
            pairs(crate::analysis::responders::responders_file(f, o, &spec, &opts)?, a.flag.is_some())
        }
        AnalysisKind::Change => {
            let mut r = crate::analysis::change::change_file(f, o, &change_spec(a, level)?)?;
            relabel(&mut r, a);
            pairs(r, false)
        }
        AnalysisKind::Endpoint => {
            let mut r = crate::analysis::change::endpoint_file(f, o, &change_spec(a, level)?)?;
            relabel(&mut r, a);
            Ok((r, None))
        }
        AnalysisKind::Ae => {
            let subj = a.subjects.as_ref().ok_or_else(|| Error::invalid("subjects", "not given", "the [data.NAME] of the subject file (ADSL)"))?;
            let (sf, so, _) = &files[subj];
            Ok((crate::analysis::ae::ae_table(f, sf, &ae_request(a, o, so, level, methods)?)?, None))
        }
        AnalysisKind::Bootstrap => {
            let mut r = crate::analysis::bootstrap::bootstrap_file(f, o, &bootstrap_request(a, o, level)?)?;
            relabel(&mut r, a);
            Ok((r, None))
        }
        AnalysisKind::Incidence => {
            let mut r = crate::analysis::incidence::incidence_file(f, o, &incidence_request(a)?, &counts)?;
            relabel(&mut r, a);
            Ok((r, None))
        }
        AnalysisKind::Survival => Ok((crate::analysis::survival::survival_file(f, o, &survival_request(a, level)?)?, None)),
        AnalysisKind::Meta => Ok((crate::analysis::meta::meta_file(f, &meta_request(a, o, level)?)?, None)),
    }
}

/// A spec's meta-analysis as the library's request (as `trialstat meta`); a long file's arm
/// column is the data table's `arm`.
fn meta_request(a: &AnalysisSpec, o: &Overrides, level: f64) -> Result<crate::analysis::meta::MetaRequest> {
    use crate::analysis::meta::{parse_tau2, InputKind, MetaMeasure, MetaRequest, PiMethod};
    use crate::stats::meta::MetaTest;
    if a.treatment.len() > 1 {
        return Err(Error::invalid("treatment", a.treatment.join(", "), "one experimental arm of a long file"));
    }
    Ok(MetaRequest {
        measure: a.measure.as_deref().map(|m| MetaMeasure::parse("measure", m)).transpose()?,
        input: a.input.as_deref().map(|k| InputKind::parse("input", k)).transpose()?,
        map: a.map.iter().map(|(r, c)| (r.to_ascii_lowercase(), c.clone())).collect(),
        study: a.study.clone(),
        arm: o.arm.clone(),
        treatment: a.treatment.first().cloned(),
        control: a.control.clone(),
        labels: a.labels.clone(),
        subgroup: a.subgroup.clone(),
        moderator: a.moderator.clone(),
        method: a.method.as_deref().map(|m| parse_tau2("method", m)).transpose()?.unwrap_or(crate::stats::meta::Tau2Method::Reml),
        test: match &a.hksj {
            None | Some(toml::Value::Boolean(false)) => MetaTest::Z,
            Some(toml::Value::Boolean(true)) => MetaTest::Knha,
            Some(toml::Value::String(s)) if s == "adhoc" => MetaTest::Adhoc,
            Some(v) => return Err(Error::invalid("hksj", v, "true, false or \"adhoc\"")),
        },
        pi: match a.pi.as_deref() {
            None | Some("t") => PiMethod::T,
            Some("metafor") => PiMethod::Metafor,
            Some(x) => return Err(Error::invalid("pi", format!("'{x}'"), "\"t\" (t on k − 2 df) or \"metafor\"")),
        },
        level,
        ci_level: a.ci_level,
        keep_double_zero: a.keep_double_zero.unwrap_or(false),
        leave_one_out: a.leave_one_out.unwrap_or(false),
        cumulative: a.cumulative.clone().map(|c| if c == "file" { String::new() } else { c }),
        egger: a.egger.unwrap_or(false),
        trim_fill: a.trim_fill.unwrap_or(false),
        beneficial: match a.events.as_deref() {
            None | Some("harmful") => false,
            Some("beneficial") => true,
            Some(x) => return Err(Error::invalid("events", format!("'{x}'"), "\"harmful\" (default) or \"beneficial\"")),
        },
        max_iter: a.max_iter,
    })
}

/// A spec's responders analysis as the library's request (as `trialstat responders`).
fn responders_request(a: &AnalysisSpec, mut opts: CountOptions) -> Result<(crate::analysis::responders::ResponderSpec, CountOptions)> {
    use crate::analysis::responders::{parse_threshold, MissingPolicy, ResponderRule, ResponderSpec};
    let rule = match (&a.flag, &a.reduction, &a.increase) {
        (Some(c), _, _) => ResponderRule::Flag { column: c.clone(), value: a.flag_value.clone() },
        (None, Some(r), None) => ResponderRule::Change { threshold: parse_threshold("reduction", r, true)?, increase: false },
        (None, None, Some(r)) => ResponderRule::Change { threshold: parse_threshold("increase", r, false)?, increase: true },
        _ => return Err(Error::invalid("responder definition", "none", "flag, or baseline and followup with reduction or increase")),
    };
    // As `trialstat responders`: one follow-up, or several visits combined by `aggregate`.
    if a.followup_visit.len() > 1 && a.aggregate.is_none() {
        return Err(Error::invalid("followup_visit", a.followup_visit.join(", "), "one visit, or several with aggregate = \"sum\" or \"mean\""));
    }
    if a.followup.len() > 1 {
        return Err(Error::invalid("followup", a.followup.join(", "), "one follow-up column in a responders analysis"));
    }
    let (baseline, followup) = match sources(a)? {
        Some((b, f)) => (Some(b), Some(f)),
        None => (None, None),
    };
    let missing = match a.missing.as_deref() {
        None | Some("complete-case") => MissingPolicy::CompleteCase,
        Some("nonresponder") => MissingPolicy::NonResponder,
        Some(x) => return Err(Error::invalid("missing", format!("'{x}'"), "complete-case or nonresponder")),
    };
    let spec = ResponderSpec {
        arms: arm_choice(a),
        rule,
        baseline,
        followup,
        param: a.paramcd.first().cloned(),
        missing,
        strata: a.strata.clone(),
        by_responder: a.by_responder.clone(),
        quantile_type: a.quantile_type.unwrap_or(7),
    };
    opts.events = match a.events.as_deref() {
        None | Some("beneficial") => crate::stats::two_by_two::EventKind::Beneficial,
        Some("harmful") => crate::stats::two_by_two::EventKind::Harmful,
        Some(x) => return Err(Error::invalid("events", format!("'{x}'"), "beneficial or harmful")),
    };
    if let Some(l) = &a.labels {
        opts.labels = l.clone();
    }
    Ok((spec, opts))
}

/// A spec's AE table as the library's request (as `trialstat ae`); `so` are the subject
/// file's column roles.
fn ae_request(a: &AnalysisSpec, o: &Overrides, so: &Overrides, level: f64, methods: crate::analysis::MethodChoice) -> Result<crate::analysis::ae::AeSpec> {
    use crate::analysis::ae::{AeRows, AeSpec};
    let rows = match a.rows.as_deref() {
        None | Some("soc-term") => AeRows::SocAndTerm,
        Some("soc") => AeRows::Soc,
        Some("term") => AeRows::Term,
        Some(x) => return Err(Error::invalid("rows", format!("'{x}'"), "soc-term, soc or term")),
    };
    Ok(AeSpec {
        arms: arm_choice(a),
        subject_id: so.subject.clone(),
        arm: so.arm.clone(),
        ae_subject: o.subject.clone(),
        soc: a.soc.clone(),
        term: a.term.clone(),
        teae: a.teae.unwrap_or(false),
        serious: a.serious.unwrap_or(false),
        severity: a.severity.clone(),
        rows,
        min_percent: a.min_percent,
        strata: a.strata.clone(),
        level,
        methods,
        arm_order: a.arm_order.clone(),
        term_case: match a.term_case.as_deref() {
            None | Some("as-coded") => crate::analysis::TermCase::AsCoded,
            Some("sentence") => crate::analysis::TermCase::Sentence,
            Some("title") => crate::analysis::TermCase::Title,
            Some(x) => return Err(Error::invalid("term_case", format!("'{x}'"), "one of as-coded, sentence or title")),
        },
    })
}

/// A spec's bootstrap analysis as the library's request (as `trialstat bootstrap`).
fn bootstrap_request(a: &AnalysisSpec, o: &Overrides, level: f64) -> Result<crate::analysis::bootstrap::BootstrapSpec> {
    use crate::analysis::bootstrap::{BootStatistic, BootstrapSpec};
    use crate::stats::bootstrap::BootstrapOptions;
    let statistics = if a.statistic.is_empty() {
        vec![BootStatistic::MeanDifference, BootStatistic::HedgesG]
    } else {
        a.statistic.iter().map(|s| s.parse::<BootStatistic>()).collect::<Result<Vec<_>>>()?
    };
    let d = BootstrapOptions::default();
    let options = BootstrapOptions { resamples: a.resamples.unwrap_or(d.resamples), seed: a.seed.unwrap_or(d.seed), level, threads: 0 };
    Ok(BootstrapSpec { arms: arm_choice(a), value: a.value.clone().or_else(|| o.value.clone()), statistics, options })
}

/// A spec's incidence analysis as the library's request (as `trialstat incidence`).
fn incidence_request(a: &AnalysisSpec) -> Result<crate::analysis::incidence::IncidenceSpec> {
    use crate::analysis::incidence::{EventSource, IncidenceSpec};
    let events = match (&a.event, &a.censor) {
        (Some(e), None) => EventSource::Count(e.clone()),
        (None, Some(c)) => EventSource::Censor(c.clone()),
        _ => return Err(Error::invalid("events", "not given", "event = COLUMN or censor = COLUMN")),
    };
    let time = a.time.clone().ok_or_else(|| Error::invalid("time", "not given", "the person-time column"))?;
    use crate::data::TimeUnit;
    Ok(IncidenceSpec {
        arms: arm_choice(a),
        events,
        time,
        time_unit: a.time_unit.as_deref().map(|u| TimeUnit::parse("time_unit", u)).transpose()?,
        data_unit: a.data_unit.as_deref().map(|u| TimeUnit::parse("data_unit", u)).transpose()?,
        per: a.per,
    })
}

/// A spec's survival analysis as the library's request (as `trialstat survival`).
fn survival_request(a: &AnalysisSpec, level: f64) -> Result<crate::analysis::survival::SurvivalSpec> {
    use crate::analysis::survival::{parse_conf_type, parse_ties, Status, SurvivalSpec};
    use crate::data::TimeUnit;
    let mut s = SurvivalSpec::new(arm_choice(a));
    s.level = level;
    s.time = a.time.clone();
    s.status = match (&a.event, &a.censor) {
        (Some(_), Some(_)) => return Err(Error::invalid("event and censor", "both given", "one of them: event = COLUMN (1 = event) or censor = COLUMN (1 = censored)")),
        (Some(e), None) => Some(Status::Event(e.clone())),
        (None, Some(c)) => Some(Status::Censor(c.clone())),
        (None, None) => None,
    };
    s.paramcd = match a.paramcd.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        _ => return Err(Error::invalid("paramcd", a.paramcd.join(", "), "one parameter for a survival analysis")),
    };
    s.data_unit = a.data_unit.as_deref().map(|u| TimeUnit::parse("data_unit", u)).transpose()?;
    s.time_unit = a.time_unit.as_deref().map(|u| TimeUnit::parse("time_unit", u)).transpose()?;
    if let Some(c) = &a.conf_type {
        s.conf_type = parse_conf_type("conf_type", c)?;
    }
    if let Some(t) = &a.ties {
        s.ties = parse_ties("ties", t)?;
    }
    s.rho = a.rho.unwrap_or(0.0);
    s.landmarks = a.at.clone();
    s.tau = a.tau;
    s.strata = a.strata.as_deref().map(|v| v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()).unwrap_or_default();
    s.covariates = a.covariates.clone();
    s.subgroups = a.subgroups.clone();
    Ok(s)
}

/// The forest plot of a stratified responders analysis: the risk ratio per stratum (from the
/// report's per-stratum counts) and the MH pooled risk ratio.
fn strata_forest(d: &Done, title: &dyn Fn(&str) -> String, subtitle: &str) -> Result<crate::plot::meta::MetaForest> {
    use crate::stats::Measure;
    let strata = d.report.inputs.get("strata").and_then(|s| s.as_array()).cloned().unwrap_or_default();
    if strata.is_empty() {
        return Err(Error::Plot { plot: "forest".into(), message: format!("analysis '{}' has no strata (set strata = COLUMN)", d.name) });
    }
    let rows: Vec<crate::data::Stratum> = strata
        .iter()
        .map(|s| {
            let g = |k: &str| s[k].as_u64().unwrap_or(0);
            Ok(crate::data::Stratum {
                label: s["stratum"].as_str().unwrap_or("").to_string(),
                table: crate::data::TwoByTwo::new(
                    crate::data::BinomialCount::new(g("events_treated"), g("n_treated"))?,
                    crate::data::BinomialCount::new(g("events_control"), g("n_control"))?,
                ),
            })
        })
        .collect::<Result<_>>()?;
    let col = d.report.inputs.get("strata_column").and_then(|c| c.as_str()).unwrap_or("stratum").to_string();
    let sr = crate::analysis::counts::stratified(&rows, &col, &CountOptions::default())?;
    // As a journal's stratified forest plot: per stratum the arms' events/n and the risk ratio,
    // the Mantel–Haenszel risk ratio as a diamond, Breslow–Day under the plot; responders are a
    // beneficial outcome, so a ratio above 1 favours the treatment.
    use crate::plot::meta::{MetaForest, MetaRow, RowKind};
    let text = |e: &crate::stats::Estimate| match (e.estimate, e.ci) {
        (Some(x), Some(c)) => crate::fmt::estimate_ci(crate::fmt::Scale::Ratio, x, Some((c.lower, c.upper))),
        _ => "not estimable".into(),
    };
    let mut out = Vec::new();
    for s in &rows {
        let rr = sr.results.iter().find(|e| e.measure == Measure::RiskRatio && e.group.as_deref() == Some(s.label.as_str()));
        let arms = Some([format!("{}/{}", s.table.treated.events, s.table.treated.n), format!("{}/{}", s.table.control.events, s.table.control.n)]);
        match rr.and_then(|e| Some((e, e.estimate?, e.ci?))).filter(|(_, x, c)| *x > 0.0 && c.lower > 0.0 && c.upper.is_finite()) {
            Some((e, x, c)) => out.push(MetaRow { kind: RowKind::Study, label: format!("{col} = {}", s.label), arms, estimate: x, lower: c.lower, upper: c.upper, weight: None, text: text(e) }),
            None => out.push(MetaRow { kind: RowKind::Text, label: format!("{col} = {}: risk ratio not estimable (a zero count)", s.label), arms: None, estimate: 0.0, lower: 0.0, upper: 0.0, weight: None, text: String::new() }),
        }
    }
    for (m, label) in [(Measure::MhRiskRatio, "Mantel–Haenszel risk ratio")] {
        if let Some(e) = sr.results.iter().find(|e| e.measure == m) {
            if let (Some(x), Some(c)) = (e.estimate, e.ci) {
                out.push(MetaRow { kind: RowKind::Pooled, label: label.into(), arms: None, estimate: x, lower: c.lower, upper: c.upper, weight: None, text: text(e) });
            }
        }
    }
    let mut footer = Vec::new();
    if let Some(e) = sr.results.iter().find(|e| e.measure == Measure::RiskRatio && e.group.as_deref() == Some("crude")) {
        footer.push(format!("Crude (unstratified) risk ratio {}", text(e)));
    }
    if let Some(bd) = sr.results.iter().find(|e| e.measure == Measure::BreslowDay) {
        footer.push(format!("Breslow–Day test of equal odds ratios across strata ({}): χ² = {}, df = {} (p {}{})", bd.method, crate::fmt::sig(bd.statistic.unwrap_or(0.0), 3), bd.df.unwrap_or(0.0), if crate::fmt::pvalue(bd.p_value.unwrap_or(1.0)).starts_with('<') { "" } else { "= " }, crate::fmt::pvalue(bd.p_value.unwrap_or(1.0))));
    }
    let labels: Vec<String> = d.report.layout.groups.iter().map(|g| g.label.clone()).collect();
    let (t, c) = match labels.as_slice() {
        [t, .., c] => (t.clone(), c.clone()),
        _ => ("treatment".into(), "control".into()),
    };
    let level = sr.results.iter().find_map(|e| e.ci.map(|c| c.level)).unwrap_or(0.95);
    Ok(MetaForest {
        label_header: "Stratum".into(),
        title: title(&format!("Risk ratio by {col}")),
        subtitle: subtitle.to_string(),
        arm_headers: Some([format!("{t}\nresponders/n"), format!("{c}\nresponders/n")]),
        estimate_header: format!("Risk ratio ({}% CI)", crate::fmt::trim_num(100.0 * level, 4)),
        x_label: "Risk ratio of response (log scale)".into(),
        log: true,
        rows: out,
        favours: Some((format!("Favours {c}"), format!("Favours {t}"))),
        footer,
    })
}

/// A plot's subtitle for readers: the population and the n of each arm analysed (control
/// first), from the analysis's patient flow at `visit` (all visits when `None`); `None` when the
/// analysis has no flow (a meta-analysis keeps its own).
fn reader_subtitle(d: &Done, visit: Option<&str>) -> Option<String> {
    let rows: Vec<&crate::analysis::FlowRow> = d.report.flow.iter().filter(|f| visit.is_none_or(|v| f.subset.visit.as_deref() == Some(v))).collect();
    let first_visit = rows.first()?.subset.visit.clone();
    if rows.iter().any(|f| f.subset.visit != first_visit) {
        // Several follow-ups: the arms as randomised; the plot shows the n at each visit.
        let arms: Vec<String> = rows.iter().filter(|f| f.subset.visit == first_visit).map(|f| format!("{} {}", f.group, f.in_file)).collect();
        return Some(format!("Randomised: {}; n analysed at each visit under the axis", arms.join(", ")));
    }
    let population = match d.report.inputs.get("population").and_then(|p| p.as_str()) {
        Some(p) => format!("Subjects with {p}"),
        None if rows.iter().any(|f| !f.imputed.is_empty()) => "All randomised (missing status counted as non-response)".to_string(),
        None if rows.iter().any(|f| !f.excluded.is_empty()) => "Complete cases".to_string(),
        None => "All randomised".to_string(),
    };
    let arms: Vec<String> = rows.iter().map(|f| if f.analysed == f.in_file { format!("{} n = {}", f.group, f.analysed) } else { format!("{} n = {} of {}", f.group, f.analysed, f.in_file) }).collect();
    Some(format!("{population}: {}", arms.join(", ")))
}

fn draw(p: &spec::PlotSpec, d: &Done) -> Result<Figure> {
    use crate::stats::Measure;
    let title = |default: &str| p.title.clone().unwrap_or_else(|| default.to_string());
    // The subtitle: the spec's, else the population and n (else the analysis's own line).
    let first_visit = d.report.flow.first().and_then(|f| f.subset.visit.clone());
    let sub_at = |visit: Option<&str>| p.subtitle.clone().or_else(|| reader_subtitle(d, visit)).unwrap_or_else(|| d.report.layout.title.clone());
    let sub = sub_at(None);
    let first_comparison =
        || d.report.results.iter().find(|e| e.measure == Measure::RiskRatio && e.group.as_deref().is_some_and(|g| g.contains(" vs "))).and_then(|e| e.group.clone()).unwrap_or_default();
    let need_pairs =
        || d.pairs.as_ref().ok_or_else(|| Error::Plot { plot: "plot".into(), message: format!("analysis '{}' has no per-subject baseline and follow-up (needs baseline and followup)", d.name) });
    match p.kind {
        PlotKind::Rates => plot::render(&plot::RateBars { subtitle: sub, ..from_report::rate_bars(&d.report, &title("Responder rates by arm"), "Responders")? }),
        PlotKind::Forest if d.spec.kind == AnalysisKind::Meta => plot::render(&crate::plot::meta::forest_of(&d.report, &title("Forest plot"))?),
        PlotKind::Funnel => {
            if d.spec.kind != AnalysisKind::Meta {
                return Err(Error::Plot { plot: "funnel".into(), message: format!("analysis '{}' is not a meta-analysis (kind = \"meta\")", d.name) });
            }
            plot::render(&crate::plot::meta::funnel_of(&d.report, &title("Funnel plot"))?)
        }
        PlotKind::Forest => {
            let f = match d.spec.kind {
                AnalysisKind::Responders => return plot::render(&strata_forest(d, &title, &sub)?),
                AnalysisKind::Survival => from_report::subgroup_forest(&d.report, p.comparison.as_deref(), &title("Hazard ratio by subgroup"))?,
                AnalysisKind::Ae => {
                    let mut f = from_report::forest(&d.report, Measure::RiskRatio, None, &title("Risk ratio by system organ class"), "Risk ratio")?;
                    let cmp = p.comparison.clone().unwrap_or_else(first_comparison);
                    let keep: Vec<String> = d
                        .report
                        .results
                        .iter()
                        .filter(|e| e.measure == Measure::RiskRatio && e.subset.term.is_none() && e.group.as_deref() == Some(cmp.as_str()))
                        .filter_map(|e| e.subset.soc.clone())
                        .collect();
                    f.rows.retain(|r| r.label.ends_with(&cmp) && keep.iter().any(|s| r.label.starts_with(s.as_str())));
                    for r in &mut f.rows {
                        r.label = r.label.trim_end_matches(&format!(" · {cmp}")).to_string();
                    }
                    f.subtitle = cmp;
                    f
                }
                _ => from_report::forest(&d.report, Measure::AncovaDifference, None, &title("ANCOVA difference"), "Adjusted difference")?,
            };
            plot::render(&f)
        }
        PlotKind::Waterfall => {
            let (pairs, arms) = need_pairs()?;
            let threshold = p.threshold.or_else(|| d.spec.reduction.as_deref().and_then(|r| r.trim().strip_suffix('%')).and_then(|v| v.trim().parse::<f64>().ok()).map(|v| -v));
            plot::render(&from_report::waterfall(pairs, arms, threshold, &title("Change from baseline by subject"), &sub_at(first_visit.as_deref()))?)
        }
        PlotKind::Box => {
            let (pairs, arms) = need_pairs()?;
            plot::render(&from_report::change_box(pairs, arms, &title("Change from baseline by arm"), &sub_at(first_visit.as_deref()), "Change from baseline")?)
        }
        PlotKind::Visits => {
            let labels: Vec<(String, String, Option<f64>)> = p.visits.iter().map(|(v, l)| (v.clone(), l.label.clone().unwrap_or_else(|| v.clone()), l.time)).collect();
            let timed = !labels.is_empty() && labels.iter().all(|l| l.2.is_some());
            let x_label = p.x_label.clone().unwrap_or_else(|| if timed { "Time since randomisation".into() } else { "Visit".into() });
            let y_label = match &p.units {
                Some(u) => format!("Mean change from baseline, {u} (95% CI)"),
                None => "Mean change from baseline (95% CI)".into(),
            };
            plot::render(&plot::MeanOverVisits { subtitle: sub, ..from_report::mean_over_visits(&d.report, &title("Mean change from baseline over visits"), &y_label, &labels, &x_label)? })
        }
        PlotKind::AeDot => {
            let cmp = p.comparison.clone().unwrap_or_else(first_comparison);
            let mut f = from_report::ae_dot(&d.report, &cmp, p.top.unwrap_or(20))?;
            f.subtitle = format!("{} most frequent preferred terms; {sub}", f.rows.len());
            if let Some(t) = &p.title {
                f.title = t.clone();
            }
            plot::render(&f)
        }
        PlotKind::KaplanMeier => {
            plot::render(&plot::KaplanMeierPlot { subtitle: sub, ..from_report::kaplan_meier(&d.report, &title("Kaplan–Meier estimate by arm"), p.ci_bands.unwrap_or(false), p.median_lines.unwrap_or(true))? })
        }
        PlotKind::Volcano => {
            let cmp = p.comparison.clone().unwrap_or_else(first_comparison);
            let mut f = from_report::volcano(&d.report, &cmp)?;
            if let Some(t) = &p.title {
                f.title = t.clone();
            }
            plot::render(&f)
        }
    }
}

/// Escape text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Standard base64 (RFC 4648) of `bytes`.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for ch in bytes.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        o.push(A[(n >> 18) as usize & 63] as char);
        o.push(A[(n >> 12) as usize & 63] as char);
        o.push(if ch.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        o.push(if ch.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    o
}

/// The heading of an analysis: its `title`, else its name with the first letter capitalised.
fn analysis_heading(d: &Done) -> String {
    d.spec.title.clone().unwrap_or_else(|| crate::fmt::capitalise(&d.name))
}

/// An HTML table of (heading, header, rows).
fn html_table(h: &mut String, heading: &str, head: &[String], rows: &[Vec<String>]) {
    let e = html_escape;
    if !heading.is_empty() {
        h.push_str(&format!("<h3>{}</h3>\n", e(heading)));
    }
    h.push_str("<table>\n<tr>");
    for c in head {
        h.push_str(&format!("<th>{}</th>", e(c)));
    }
    h.push_str("</tr>\n");
    for r in rows {
        h.push_str("<tr>");
        for c in r {
            h.push_str(&format!("<td>{}</td>", e(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// The patient-flow table of the analyses with a flow: analysis, visit (where some row has one),
/// arm, subjects in the file, analysed, and those left out or imputed with the reason.
fn flow_table(flows: &[&Done]) -> (Vec<String>, Vec<Vec<String>>) {
    let with_visit = flows.iter().any(|d| d.report.flow.iter().any(|f| f.subset.visit.is_some() || f.subset.param.is_some()));
    let mut head = vec!["Analysis".to_string()];
    if with_visit {
        head.push("Visit".into());
    }
    head.extend(["Arm", "In the file", "Analysed", "Left out (reason)"].map(String::from));
    let mut rows = Vec::new();
    for d in flows {
        for (i, f) in d.report.flow.iter().enumerate() {
            let mut r = vec![if i == 0 { analysis_heading(d) } else { String::new() }];
            if with_visit {
                r.push([f.subset.param.clone(), f.subset.visit.clone()].into_iter().flatten().collect::<Vec<_>>().join(", "));
            }
            let reasons: Vec<String> = f.excluded.iter().map(|x| format!("{}: {}", x.n, x.reason)).chain(f.imputed.iter().map(|x| format!("{} kept: {}", x.n, x.reason))).collect();
            r.extend([f.group.clone(), f.in_file.to_string(), f.analysed.to_string(), if reasons.is_empty() { "none".into() } else { reasons.join("; ") }]);
            rows.push(r);
        }
    }
    (head, rows)
}

/// A spec's baseline table as the library's request (as `trialstat baseline`).
fn baseline_request(t: &spec::TableSpec) -> Result<crate::analysis::baseline::BaselineRequest> {
    use crate::analysis::baseline::{BaselineRequest, BaselineVariable, VarKind};
    let variables = t
        .variables
        .iter()
        .map(|v| {
            let kind = match v.kind.as_deref() {
                None => None,
                Some("categorical") => Some(VarKind::Categorical),
                Some("continuous") => Some(VarKind::Continuous),
                Some(x) => return Err(Error::invalid(format!("variables.{}.kind", v.column), format!("'{x}'"), "\"categorical\" or \"continuous\"")),
            };
            Ok(BaselineVariable { column: v.column.clone(), label: v.label.clone(), kind, levels: v.levels.iter().map(|[a, b]| (a.clone(), b.clone())).collect(), unit: v.unit.clone() })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(BaselineRequest {
        arms: crate::analysis::arms::ArmChoice { treatment: t.treatment.clone(), control: t.control.clone(), merge_variants: false },
        arm_labels: t.arm_labels.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
        variables,
        overall: t.overall.unwrap_or(true),
        quantile_type: t.quantile_type.unwrap_or(7),
    })
}

fn index_html(spec: &Spec, spec_text: &str, data: &[(String, String)], described: &[(String, String, Report)], done: &[Done], figures: &[(String, String, Figure)]) -> String {
    let e = html_escape;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>{}</title>\n", e(&spec.title)));
    h.push_str("<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px;max-width:100%}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;overflow-wrap:break-word}td code{word-break:break-all}th{background:#f3f3f3}img{max-width:100%;height:auto;border:1px solid #eee}pre{background:#f7f7f7;padding:1em;white-space:pre-wrap;overflow-wrap:anywhere}.notes{font-size:13px;color:#444}.primary{font-size:14px;color:#7a3e00;font-weight:normal}.generated{font-size:12px;color:#666}@media print{body{max-width:none;margin:0;font-size:11pt}h2{page-break-before:auto;page-break-after:avoid}table,img{page-break-inside:avoid}a{color:inherit;text-decoration:none}nav{display:none}}</style>\n</head>\n<body>\n");
    h.push_str(&format!("<h1>{}</h1>\n", e(&spec.title)));
    if let Some(d) = &spec.description {
        h.push_str(&format!("<p>{}</p>\n", e(d)));
    }
    let flows: Vec<&Done> = done.iter().filter(|d| !d.report.flow.is_empty()).collect();
    h.push_str("<nav>\n<h2>Contents</h2>\n<ul>\n");
    if !flows.is_empty() {
        h.push_str("<li><a href=\"#flow\">Population and patient flow</a></li>\n");
    }
    for (name, title, _) in described {
        h.push_str(&format!("<li><a href=\"#table-{}\">{}</a></li>\n", e(name), e(title)));
    }
    for d in done {
        h.push_str(&format!("<li><a href=\"#analysis-{}\">{}</a>{}</li>\n", e(&d.name), e(&analysis_heading(d)), if d.spec.primary { " (primary endpoint)" } else { "" }));
    }
    for (name, title, _) in figures {
        h.push_str(&format!("<li><a href=\"#plot-{}\">{}</a></li>\n", e(name), e(title)));
    }
    h.push_str("<li><a href=\"#methods\">Statistical methods</a></li>\n<li><a href=\"#inputs\">Inputs</a></li>\n</ul>\n</nav>\n");
    if !flows.is_empty() {
        h.push_str("<h2 id=\"flow\">Population and patient flow</h2>\n");
        let (head, rows) = flow_table(&flows);
        html_table(&mut h, "Subjects in the file (randomised), analysed and left out, per analysis and arm", &head, &rows);
    }
    for (name, title, report) in described {
        h.push_str(&format!("<h2 id=\"table-{}\">{}</h2>\n", e(name), e(title)));
        for (heading, head, rows) in render::tables_for_html(report) {
            // No second heading that repeats the section's.
            html_table(&mut h, if heading == *title { "" } else { &heading }, &head, &rows);
        }
        let notes = render::notes_for_html(report);
        if !notes.is_empty() {
            h.push_str("<ul class=\"notes\">\n");
            for n in notes {
                h.push_str(&format!("<li>{}</li>\n", e(&n)));
            }
            h.push_str("</ul>\n");
        }
        h.push_str(&format!("<p>Tables: <a href=\"tables/{0}.csv\">CSV</a>, <a href=\"tables/{0}.json\">JSON</a>, <a href=\"tables/{0}.md\">Markdown</a>, <a href=\"tables/{0}.rtf\">RTF</a></p>\n", e(name)));
    }
    for d in done {
        let primary = if d.spec.primary { " <span class=\"primary\">primary endpoint</span>" } else { "" };
        // Under the heading: what was compared (an AE table: the population and its N per arm,
        // not the files, which are listed under Inputs).
        let line = if d.spec.kind == AnalysisKind::Ae { reader_subtitle(d, None).unwrap_or_else(|| d.report.layout.title.clone()) } else { d.report.layout.title.clone() };
        h.push_str(&format!("<h2 id=\"analysis-{}\">{}{primary}</h2>\n<p>{}</p>\n", e(&d.name), e(&analysis_heading(d)), e(&line)));
        let convention = methods::sign_convention(d.spec.kind, &d.report);
        if let Some(c) = &convention {
            h.push_str(&format!("<p class=\"convention\">{}</p>\n", e(c)));
        }
        for (heading, head, rows) in render::tables_for_html(&d.report) {
            html_table(&mut h, &heading, &head, &rows);
        }
        // Notes once: the sign convention is stated above, not again among the notes.
        let notes: Vec<String> = render::notes_for_html(&d.report).into_iter().filter(|n| (convention.is_none() || !methods::restates_convention(n)) && (d.report.flow.is_empty() || !methods::restates_flow(n))).collect();
        if !notes.is_empty() {
            h.push_str("<ul class=\"notes\">\n");
            for n in notes {
                h.push_str(&format!("<li>{}</li>\n", e(&n)));
            }
            h.push_str("</ul>\n");
        }
        h.push_str(&format!("<p>Tables: <a href=\"tables/{0}.csv\">CSV</a>, <a href=\"tables/{0}.json\">JSON</a>, <a href=\"tables/{0}.md\">Markdown</a>, <a href=\"tables/{0}.rtf\">RTF</a></p>\n", e(&d.name)));
    }
    for (name, title, fig) in figures {
        h.push_str(&format!("<h2 id=\"plot-{}\">{}</h2>\n", e(name), e(title)));
        h.push_str(&format!("<img alt=\"{}\" width=\"{}\" height=\"{}\" src=\"data:image/png;base64,{}\">\n", e(title), fig.width, fig.height, base64(&fig.png)));
        h.push_str(&format!("<p><a href=\"plots/{0}.svg\">SVG</a>, <a href=\"plots/{0}.png\">PNG</a></p>\n", e(name)));
    }
    h.push_str("<h2 id=\"methods\">Statistical methods</h2>\n");
    let mut cites = methods::Citations::default();
    for d in done {
        let s = methods::methods_sentence(&d.report, &mut cites);
        if !s.is_empty() {
            h.push_str(&format!("<p><b>{}.</b> {}</p>\n", e(analysis_heading(d).trim_end_matches('.')), e(&s)));
        }
    }
    h.push_str(&format!("<p>Computed with trialstat {}; every estimate with its method and inputs is in the tables' JSON and CSV.</p>\n", e(crate::analysis::VERSION)));
    let refs = cites.list();
    if !refs.is_empty() {
        h.push_str("<h3>References</h3>\n<ol class=\"references\">\n");
        for (_, c) in refs {
            h.push_str(&format!("<li>{}</li>\n", e(c)));
        }
        h.push_str("</ol>\n");
    }
    h.push_str("<h2 id=\"inputs\">Inputs</h2>\n<table>\n<tr><th>data file</th><th>SHA-256</th></tr>\n");
    for (f, sha) in data {
        h.push_str(&format!("<tr><td>{}</td><td><code>{}</code></td></tr>\n", e(f), e(sha)));
    }
    h.push_str("</table>\n");
    h.push_str(&format!("<p class=\"generated\">Generated by trialstat {} from the spec below.</p>\n<h3>Spec</h3>\n", e(crate::analysis::VERSION)));
    h.push_str(&format!("<pre>{}</pre>\n", e(spec_text)));
    h.push_str("</body>\n</html>\n");
    h
}

/// Run the spec file at `path` (a regular file of at most
/// [`SPEC_MAX_BYTES`](crate::input::SPEC_MAX_BYTES)) into `out`; `csv_raw` writes CSV cells as
/// they are, as the spec key `csv_raw = true` does.
pub fn run_file(path: &Path, out: &Path, force: bool, csv_raw: bool) -> Result<Vec<Output>> {
    let name = path.display().to_string();
    let text = crate::input::read_bounded_text(path, crate::input::SPEC_MAX_BYTES, "spec file")?;
    let mut spec = spec::parse(&name, &text)?;
    spec.csv_raw |= csv_raw;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    check_target(out, force)?;
    let outputs = run(&spec, &spec_file_name(path), &text, &base)?;
    write_atomic(out, &outputs, force)?;
    Ok(outputs)
}

fn spec_file_name(path: &Path) -> String {
    path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Run the bundled headache study (spec and data embedded in the binary) into `out`. The data
/// is written to a temporary folder created securely (random name, created exclusively, owner
/// only; removed afterwards), never to a predictable path where a planted link could redirect it.
pub fn run_default(out: &Path, force: bool, csv_raw: bool) -> Result<Vec<Output>> {
    check_target(out, force)?;
    let tmp = tempfile::Builder::new().prefix("trialstat-default-").tempdir().map_err(|e| Error::File { file: std::env::temp_dir().display().to_string(), message: format!("cannot create a temporary folder: {e}") })?;
    let data = tmp.path().join(DEFAULT_DATA_NAME);
    let written = std::fs::OpenOptions::new().write(true).create_new(true).open(&data).and_then(|mut f| std::io::Write::write_all(&mut f, DEFAULT_DATA.as_bytes()));
    let r = written
        .map_err(|e| Error::File { file: data.display().to_string(), message: format!("cannot write: {e}") })
        .and_then(|_| spec::parse("study.toml", DEFAULT_SPEC))
        .and_then(|mut spec| {
            spec.csv_raw |= csv_raw;
            run(&spec, "study.toml", DEFAULT_SPEC, tmp.path())
        });
    drop(tmp);
    let outputs = r?;
    write_atomic(out, &outputs, force)?;
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analyses of a spec (and their plots' per-subject data) read each data file once.
    #[test]
    fn a_report_reads_each_data_file_once() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
        let text = format!(
            "{}\n{}",
            std::fs::read_to_string(root.join("acupuncture_headache/study.toml")).unwrap(),
            r#"
[data.adsl]
file = "../cdisc_pilot01/adsl.csv"
[data.adae]
file = "../cdisc_pilot01/adae.csv"

[[analysis]]
name = "teae"
kind = "ae"
data = "adae"
subjects = "adsl"
teae = true

[[analysis]]
name = "serious"
kind = "ae"
data = "adae"
subjects = "adsl"
serious = true
"#
        );
        let spec = spec::parse("study.toml", &text).unwrap();
        let base = root.join("acupuncture_headache");
        let files = load_data(&spec.data, "study.toml", &text, &base).unwrap();
        preload(&files, &spec.analyses, "study.toml", &text).unwrap();
        for a in &spec.analyses {
            let (f, o, _) = &files[a.data.get_ref()];
            run_analysis(a, f, o, &files, true).unwrap();
        }
        for (key, (f, _, _)) in &files {
            assert_eq!(f.reads(), 1, "[data.{key}] read {} times", f.reads());
        }
        assert_eq!(files.len(), 3);
    }
}
