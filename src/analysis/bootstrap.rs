//! `trialstat bootstrap`: percentile and BCa bootstrap CIs of a two-arm comparison of one value
//! per row (a trial file filtered to one visit with `--where`, or a file of changes), resampling
//! within each arm (R boot's `strata`), seeded, the same numbers whatever the thread count.
//!
//! Statistics (treatment x, control y; sample SDs with n − 1):
//! * `mean-difference` x̄ − ȳ;
//! * `hedges-g` J(m)·(x̄ − ȳ)/s_p, s_p² = ((n_x − 1)s_x² + (n_y − 1)s_y²)/m, m = n_x + n_y − 2,
//!   J the exact Hedges correction ([`crate::stats::continuous::hedges_j`], as `trialstat smd`);
//! * `median-difference` median(x) − median(y) (R's default median);
//! * `ratio-of-means` x̄ / ȳ.
//!
//! The intervals are those of [`crate::stats::bootstrap`] (R's `boot.ci` with jackknife
//! influence values); its module doc gives the formulas, the random streams and the edge cases.

use super::arms::{resolve_in_file, ArmChoice};
use super::{GroupRow, Layout, Report};
use crate::error::{Error, Result};
use crate::ingest::layout::{require_column, roles, Overrides};
use crate::ingest::table::{column, numbers, CsvFile, Problems};
use crate::stats::bootstrap::{bootstrap, BootstrapOptions, RNG_NOTE};
use crate::stats::continuous::hedges_j;
use serde_json::json;

/// A statistic of two arms that `trialstat bootstrap` resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BootStatistic {
    MeanDifference,
    HedgesG,
    MedianDifference,
    RatioOfMeans,
}

impl BootStatistic {
    pub const ALL: [BootStatistic; 4] = [BootStatistic::MeanDifference, BootStatistic::HedgesG, BootStatistic::MedianDifference, BootStatistic::RatioOfMeans];

    pub fn name(self) -> &'static str {
        match self {
            BootStatistic::MeanDifference => "mean-difference",
            BootStatistic::HedgesG => "hedges-g",
            BootStatistic::MedianDifference => "median-difference",
            BootStatistic::RatioOfMeans => "ratio-of-means",
        }
    }

    /// The statistic of the values `x[ix]` against `y[iy]`.
    fn of(self, x: &[f64], ix: &[usize], y: &[f64], iy: &[usize]) -> f64 {
        match self {
            BootStatistic::MeanDifference => mean_var(x, ix).0 - mean_var(y, iy).0,
            BootStatistic::RatioOfMeans => mean_var(x, ix).0 / mean_var(y, iy).0,
            BootStatistic::HedgesG => {
                let ((mx, vx), (my, vy)) = (mean_var(x, ix), mean_var(y, iy));
                let (nx, ny) = (ix.len() as f64, iy.len() as f64);
                let m = nx + ny - 2.0;
                let sp = (((nx - 1.0) * vx + (ny - 1.0) * vy) / m).sqrt();
                hedges_j(m) * (mx - my) / sp
            }
            BootStatistic::MedianDifference => median(x, ix) - median(y, iy),
        }
    }
}

impl std::str::FromStr for BootStatistic {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        BootStatistic::ALL.into_iter().find(|b| b.name() == s.trim()).ok_or_else(|| {
            Error::invalid("--statistic", format!("'{s}'"), format!("one of {}", BootStatistic::ALL.map(BootStatistic::name).join(", ")))
        })
    }
}

/// Mean and sample variance (n − 1) of `v[idx]`, by the two-pass formula (the mean first, then
/// the squared deviations from it): no cancellation when the values are far from 0.
fn mean_var(v: &[f64], idx: &[usize]) -> (f64, f64) {
    let n = idx.len() as f64;
    let mean = idx.iter().map(|&i| v[i]).sum::<f64>() / n;
    let ss: f64 = idx.iter().map(|&i| (v[i] - mean) * (v[i] - mean)).sum();
    (mean, ss / (n - 1.0))
}

/// Median of `v[idx]` (mean of the two middle values for an even count), by selection.
fn median(v: &[f64], idx: &[usize]) -> f64 {
    let mut s: Vec<f64> = idx.iter().map(|&i| v[i]).collect();
    let n = s.len();
    let (_, hi, _) = s.select_nth_unstable_by(n / 2, f64::total_cmp);
    let hi = *hi;
    if n % 2 == 1 {
        return hi;
    }
    let lo = s[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo + hi) / 2.0
}

/// A `trialstat bootstrap` request on a file.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapSpec {
    pub arms: ArmChoice,
    /// The column of values (one per row); default: the value column recognised (`AVAL`, `value`).
    pub value: Option<String>,
    pub statistics: Vec<BootStatistic>,
    pub options: BootstrapOptions,
}

/// Bootstrap each statistic of `spec` for the treatment against the control (exactly two arms).
/// Rows with a missing value are left out (a note counts them); a value that is not a number is
/// an error naming its line.
pub fn bootstrap_file(file: &CsvFile, overrides: &Overrides, spec: &BootstrapSpec) -> Result<Report> {
    if spec.statistics.is_empty() {
        return Err(Error::invalid("--statistic", "none", format!("one or more of {}", BootStatistic::ALL.map(BootStatistic::name).join(", "))));
    }
    let roles = roles(&file.name, &file.columns, overrides)?;
    let arm_col = roles.arm.clone().ok_or_else(|| Error::File { file: file.name.clone(), message: format!("no arm column recognised; name it with --arm; columns present: {}", file.columns.join(", ")) })?;
    let value_col = match (&spec.value, &roles.value) {
        (Some(v), _) => require_column(&file.name, "--value", v, &file.columns)?,
        (None, Some(v)) => v.clone(),
        (None, None) => return Err(Error::File { file: file.name.clone(), message: format!("no value column recognised; name it with --value; columns present: {}", file.columns.join(", ")) }),
    };
    let arms = resolve_in_file(file, &arm_col, &spec.arms)?;
    if arms.treatments.len() != 1 {
        return Err(Error::invalid(
            "--treatment",
            arms.treatments.join(","),
            format!("one treatment arm to compare with the control '{}' (name it with --treatment)", arms.control),
        ));
    }
    let labels = [arms.treatments[0].as_str(), arms.control.as_str()];
    let ([x, y], missing) = arm_values(file, &arms, &arm_col, &value_col)?;
    // In the order asked, each once.
    let mut statistics: Vec<BootStatistic> = Vec::new();
    for s in &spec.statistics {
        if !statistics.contains(s) {
            statistics.push(*s);
        }
    }
    let comparison = format!("{} vs {}", labels[0], labels[1]);
    let mut results = Vec::new();
    let mut notes = Vec::new();
    for &s in &statistics {
        let b = bootstrap(&[x.len(), y.len()], |g: &[&[usize]]| s.of(&x, g[0], &y, g[1]), s.name(), &spec.options)?;
        let se = sd(&b.replicates);
        for mut e in [b.bca, b.percentile] {
            e.group = Some(format!("{}: {comparison}", s.name()));
            e.n = Some((x.len() + y.len()) as u64);
            e.se = Some(se);
            results.push(e);
        }
    }
    notes.push(format!(
        "{} resamples within each arm (seed {}; {RNG_NOTE}); BCa with jackknife influence values, as R's boot.ci(type = \"bca\") given L = empinf(type = \"jack\"); se = SD of the replicates.",
        spec.options.resamples, spec.options.seed
    ));
    if missing.iter().any(|&m| m > 0) {
        notes.push(format!("Rows without a value of '{value_col}', left out: {} in {}, {} in {}.", missing[0], labels[0], missing[1], labels[1]));
    }
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    let inputs = json!({
        "file": file.name,
        "arm_column": arm_col,
        "value": value_col,
        "treatment": labels[0],
        "control": labels[1],
        "n": [x.len(), y.len()],
        "statistics": statistics.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "resamples": spec.options.resamples,
        "seed": spec.options.seed,
        "level": spec.options.level,
    });
    let layout = Layout {
        title: format!("{value_col} by {arm_col} ({comparison}), bootstrap"),
        comparison,
        groups: [(labels[0], x.len()), (labels[1], y.len())]
            .into_iter()
            .map(|(l, n)| GroupRow { label: l.to_string(), count: n.to_string(), denominator: String::new() })
            .collect(),
        ..Default::default()
    };
    // Control first: its rows with a value, and those without.
    let flow = [(1, &y), (0, &x)]
        .into_iter()
        .map(|(k, v)| super::FlowRow {
            group: labels[k].to_string(),
            subset: Default::default(),
            in_file: v.len() as u64 + missing[k],
            analysed: v.len() as u64,
            excluded: if missing[k] > 0 { vec![super::Excluded { reason: format!("no {value_col} value"), n: missing[k] }] } else { Vec::new() },
            imputed: Vec::new(),
        })
        .collect();
    Ok(Report { results, notes, flow, ..Report::new("bootstrap", inputs, layout) })
}

/// The values of the treatment and the control (rows in file order), and how many rows of
/// each had no value; every invalid value is reported at once; an arm with fewer than two
/// values is an error.
fn arm_values(file: &CsvFile, arms: &super::arms::Arms, arm_col: &str, value_col: &str) -> Result<([Vec<f64>; 2], [u64; 2])> {
    let t = file.load_typed(&[arm_col], &[value_col])?;
    let (arm, values) = (column(&t, arm_col)?, numbers(&t, value_col)?);
    let keep = file.selector(&t, &[])?;
    let mut problems = Problems::new(&file.name);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut missing = [0u64; 2];
    for r in (0..t.rows).filter(|&r| keep(r)) {
        let Some(k) = arm.text(r).and_then(|a| arms.position(a)) else { continue };
        match problems.number(&t, &values, value_col, r) {
            Some(v) => [&mut x, &mut y][k].push(v),
            None => missing[k] += 1,
        }
    }
    problems.finish()?;
    let labels = [arms.treatments[0].as_str(), arms.control.as_str()];
    for (k, v) in [&x, &y].into_iter().enumerate() {
        if v.len() < 2 {
            return Err(Error::Data {
                file: file.name.clone(),
                line: 0,
                column: value_col.to_string(),
                value: labels[k].to_string(),
                message: format!("arm '{}' has {} value(s) of '{value_col}'; the bootstrap needs at least 2 per arm", labels[k], v.len()),
            });
        }
    }
    Ok(([x, y], missing))
}

/// Sample SD (n − 1) of the finite values.
fn sd(v: &[f64]) -> f64 {
    let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    crate::stats::dist::mean_sd(&finite).1.unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_on_the_full_sample() {
        let x = [3.0, 5.0, 4.0, 8.0];
        let y = [1.0, 2.0, 2.0, 5.0, 10.0];
        let (ix, iy): (Vec<usize>, Vec<usize>) = ((0..4).collect(), (0..5).collect());
        assert_eq!(BootStatistic::MeanDifference.of(&x, &ix, &y, &iy), 5.0 - 4.0);
        assert_eq!(BootStatistic::RatioOfMeans.of(&x, &ix, &y, &iy), 5.0 / 4.0);
        assert_eq!(BootStatistic::MedianDifference.of(&x, &ix, &y, &iy), 4.5 - 2.0);
        // s_x² = 14/3, s_y² = 54/4; s_p² = (14 + 54)/7; m = 7.
        let g = BootStatistic::HedgesG.of(&x, &ix, &y, &iy);
        assert!((g - hedges_j(7.0) * 1.0 / (68.0f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(median(&[5.0, 1.0, 3.0], &[0, 1, 2, 1]), 2.0);
    }
}
