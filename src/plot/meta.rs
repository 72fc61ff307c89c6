//! Meta-analysis plots: the forest plot as journals and Cochrane reviews print it, and the
//! funnel plot with pseudo-confidence limits.

use super::{bold, check_finite, fit, font, title_area, DrawResult, Plot, GREY, PALETTE};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a row of a meta-analysis forest plot is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A study: a square sized by its weight, with its CI.
    Study,
    /// A pooled estimate: a diamond spanning its CI.
    Pooled,
    /// A prediction interval: a bar.
    Prediction,
    /// A heading (a subgroup's name): text only.
    Heading,
    /// A line of text under a block (heterogeneity, a test): text only, in grey.
    Text,
}

/// One row of a [`MetaForest`].
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRow {
    pub kind: RowKind,
    pub label: String,
    /// The two arms as printed (events/n or mean (SD) n), experimental first.
    pub arms: Option<[String; 2]>,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// Weight in percent (studies: of the model the squares are sized by).
    pub weight: Option<f64>,
    /// Estimate and CI as printed at the right.
    pub text: String,
}

/// A forest plot of a meta-analysis: per study the arms' data, the estimate with its CI as a
/// square sized by weight and as text, and its weight; the pooled estimates as diamonds, the
/// prediction interval as a bar, subgroup blocks, heterogeneity lines, the line of no effect and
/// "favours" labels; a log axis with round ticks for ratios.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaForest {
    /// Heading of the label column ("Study", "Stratum").
    pub label_header: String,
    pub title: String,
    pub subtitle: String,
    /// Column headings of the two arms (e.g. "P6 events/total").
    pub arm_headers: Option<[String; 2]>,
    /// Heading of the estimate column, e.g. "Risk ratio (95% CI)".
    pub estimate_header: String,
    /// Axis title, e.g. "Risk ratio (log scale)".
    pub x_label: String,
    pub log: bool,
    pub rows: Vec<MetaRow>,
    pub favours: Option<(String, String)>,
    /// Lines under the plot (heterogeneity, test of the overall effect, model).
    pub footer: Vec<String>,
}

const ROW_H: i32 = 22;
const LABEL_W: i32 = 230;
const ARM_W: i32 = 100;
const PLOT_W: i32 = 300;
const TEXT_W: i32 = 170;
const WEIGHT_W: i32 = 64;
/// Bold 13 px text, measured as regular text 8 % wider.
const B13: f64 = 13.0 * 1.08;

/// Round ticks of a log axis between `lo` and `hi`.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    for e in -4..=4 {
        for m in [1.0, 2.0, 5.0] {
            let t = m * 10f64.powi(e);
            if t >= lo * (1.0 - 1e-9) && t <= hi * (1.0 + 1e-9) {
                out.push(t);
            }
        }
    }
    // Too many: keep 1-3-10 style steps (1, 10, ...) and 0.5/2/5 only when few.
    if out.len() > 9 {
        out.retain(|t| {
            let l = t.log10();
            (l - l.round()).abs() < 1e-9 || (*t - 1.0).abs() < 1e-12
        });
    }
    out
}

/// Round ticks of a linear axis covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about six.
fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 6.0;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p);
    // From the tick at or below lo to the tick at or above hi: the axis ends on round values.
    let mut t = (lo / step + 1e-9).floor() * step;
    let end = (hi / step - 1e-9).ceil() * step;
    let mut out = Vec::new();
    while t <= end + 1e-9 * step {
        out.push(if t.abs() < 1e-12 * step { 0.0 } else { t });
        t += step;
    }
    out
}

impl MetaForest {
    /// The axis range: every study and pooled CI and the null, on round ticks; study CIs
    /// beyond [0.01, 100] (ratios) are cut with an arrow.
    fn range(&self) -> (f64, f64, Vec<f64>) {
        let drawn = self.rows.iter().filter(|r| matches!(r.kind, RowKind::Study | RowKind::Pooled | RowKind::Prediction));
        let (mut lo, mut hi) = drawn.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), r| (l.min(r.lower), h.max(r.upper)));
        if self.log {
            lo = lo.clamp(0.01, 1.0);
            hi = hi.clamp(1.0, 100.0);
            // Symmetric on the log scale reads best.
            let m = lo.ln().abs().max(hi.ln().abs());
            let (lo, hi) = ((-m).exp(), m.exp());
            let ticks = log_ticks(lo * 0.999, hi * 1.001);
            let lo_t = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0].into_iter().rev().find(|t| *t <= lo * 1.000_001).unwrap_or(0.01);
            let hi_t = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0].into_iter().find(|t| *t >= hi * 0.999_999).unwrap_or(100.0);
            let lim = (1.0 / lo_t).max(hi_t);
            let ticks = if ticks.is_empty() { vec![1.0] } else { log_ticks(1.0 / lim, lim) };
            (1.0 / lim, lim, ticks)
        } else {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
            let ticks = linear_ticks(lo, hi);
            let lo = ticks.first().copied().unwrap_or(lo).min(lo);
            let hi = ticks.last().copied().unwrap_or(hi).max(hi);
            (lo, hi, ticks)
        }
    }
}

impl Plot for MetaForest {
    fn kind(&self) -> &'static str {
        "forest"
    }
    fn size(&self) -> (u32, u32) {
        let w = LABEL_W + if self.arm_headers.is_some() { 2 * ARM_W } else { 0 } + PLOT_W + TEXT_W + WEIGHT_W + 24;
        let h = 86 + ROW_H * (self.rows.len() as i32 + 2) + 70 + 18 * self.footer.len() as i32;
        (w as u32, h as u32)
    }
    fn check(&self) -> Result<()> {
        if !self.rows.iter().any(|r| r.kind == RowKind::Study) {
            return Err(Error::Plot { plot: "forest".into(), message: "no studies to draw".into() });
        }
        for r in self.rows.iter().filter(|r| matches!(r.kind, RowKind::Study | RowKind::Pooled | RowKind::Prediction)) {
            check_finite("forest", &format!("{} estimate/CI", r.label), [r.estimate, r.lower, r.upper])?;
            if self.log && (r.lower <= 0.0 || r.estimate <= 0.0) {
                return Err(Error::Plot { plot: "forest".into(), message: format!("{}: a ratio of 0 cannot be drawn on a log axis", r.label) });
            }
        }
        Ok(())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let (x0, y0) = area.get_base_pixel();
        let arms_w = if self.arm_headers.is_some() { 2 * ARM_W } else { 0 };
        let plot_x = x0 + LABEL_W + arms_w;
        let text_x = plot_x + PLOT_W + 12;
        let weight_x = text_x + TEXT_W;
        let (lo, hi, ticks) = self.range();
        let to_px = |x: f64| -> i32 {
            let f = if self.log { (x.ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { (x - lo) / (hi - lo) };
            plot_x + 8 + (f.clamp(0.0, 1.0) * (PLOT_W - 16) as f64).round() as i32
        };
        // Every text within its column (cut with "…" when it does not fit); full-width rows
        // (headings, heterogeneity lines) and the footer within the canvas.
        let full_w = f64::from(weight_x + WEIGHT_W - x0 - 8);
        // Headings.
        let head_y = y0 + 4;
        root.draw(&Text::new(fit(&self.label_header, B13, f64::from(LABEL_W - 8)), (x0 + 4, head_y), bold(13.0)))?;
        if let Some([a, b]) = &self.arm_headers {
            // Two lines: the arm, then what its column holds ("events/total").
            for (k, h) in [a, b].into_iter().enumerate() {
                let (arm, what) = h.split_once('\n').unwrap_or((h.as_str(), ""));
                let x = x0 + LABEL_W + k as i32 * ARM_W + ARM_W / 2;
                root.draw(&Text::new(fit(arm, 12.0 * 1.08, f64::from(ARM_W - 6)), (x, head_y - 8), bold(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
                root.draw(&Text::new(fit(what, 11.0, f64::from(ARM_W - 6)), (x, head_y + 7), font(11.0).color(&GREY).pos(Pos::new(HPos::Center, VPos::Top))))?;
            }
        }
        root.draw(&Text::new(fit(&self.estimate_header, B13, f64::from(TEXT_W - 6)), (text_x, head_y), bold(13.0)))?;
        if self.rows.iter().any(|r| r.weight.is_some()) {
            root.draw(&Text::new("Weight".to_string(), (weight_x + WEIGHT_W - 4, head_y), bold(13.0).pos(Pos::new(HPos::Right, VPos::Top))))?;
        }
        let first_y = y0 + 30;
        root.draw(&PathElement::new(vec![(x0, first_y - 6), (weight_x + WEIGHT_W, first_y - 6)], GREY.stroke_width(1)))?;
        let max_w = self.rows.iter().filter(|r| r.kind == RowKind::Study).filter_map(|r| r.weight).fold(0.0, f64::max);
        let n = self.rows.len() as i32;
        let bottom_y = first_y + n * ROW_H;
        // Line of no effect.
        let null_x = to_px(if self.log { 1.0 } else { 0.0 });
        root.draw(&PathElement::new(vec![(null_x, first_y - 4), (null_x, bottom_y)], BLACK.stroke_width(1)))?;
        for (i, r) in self.rows.iter().enumerate() {
            let cy = first_y + i as i32 * ROW_H + ROW_H / 2;
            let ty = cy - 8;
            let (label_style, text_style) = match r.kind {
                RowKind::Pooled | RowKind::Heading => (bold(13.0), bold(13.0)),
                RowKind::Text => (font(12.0).color(&GREY), font(12.0).color(&GREY)),
                _ => (font(13.0), font(13.0)),
            };
            let indent = if r.kind == RowKind::Study && self.rows.iter().any(|r| r.kind == RowKind::Heading) { 14 } else { 4 };
            let size = match r.kind {
                RowKind::Pooled | RowKind::Heading => B13,
                RowKind::Text => 12.0,
                _ => 13.0,
            };
            let room = if matches!(r.kind, RowKind::Text | RowKind::Heading) { full_w - f64::from(indent) } else { f64::from(LABEL_W - indent - 6) };
            root.draw(&Text::new(fit(&r.label, size, room), (x0 + indent, ty), label_style))?;
            if r.kind == RowKind::Text || r.kind == RowKind::Heading {
                continue;
            }
            if let Some([a, b]) = &r.arms {
                for (k, t) in [a, b].into_iter().enumerate() {
                    root.draw(&Text::new(fit(t, 12.0, f64::from(ARM_W - 6)), (x0 + LABEL_W + k as i32 * ARM_W + ARM_W / 2, ty), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
                }
            }
            root.draw(&Text::new(fit(&r.text, size, f64::from(TEXT_W - 6)), (text_x, ty), text_style.clone()))?;
            if let Some(w) = r.weight {
                root.draw(&Text::new(format!("{w:.1}%"), (weight_x + WEIGHT_W - 4, ty), font(12.0).pos(Pos::new(HPos::Right, VPos::Top))))?;
            }
            let (xl, xe, xu) = (to_px(r.lower), to_px(r.estimate), to_px(r.upper));
            match r.kind {
                RowKind::Study => {
                    root.draw(&PathElement::new(vec![(xl, cy), (xu, cy)], BLACK.stroke_width(1)))?;
                    // Cut CIs: an arrow head at the cut end.
                    let (min_px, max_px) = (plot_x + 8, plot_x + PLOT_W - 8);
                    if xl <= min_px && r.lower < lo {
                        root.draw(&Polygon::new(vec![(min_px, cy), (min_px + 6, cy - 4), (min_px + 6, cy + 4)], BLACK.filled()))?;
                    }
                    if xu >= max_px && r.upper > hi {
                        root.draw(&Polygon::new(vec![(max_px, cy), (max_px - 6, cy - 4), (max_px - 6, cy + 4)], BLACK.filled()))?;
                    }
                    // Area ∝ weight: half-side from 2 to 8 px.
                    let half = match (r.weight, max_w > 0.0) {
                        (Some(w), true) => (2.0 + 6.0 * (w / max_w).sqrt()).round() as i32,
                        _ => 4,
                    };
                    root.draw(&Rectangle::new([(xe - half, cy - half), (xe + half, cy + half)], PALETTE[0].filled()))?;
                }
                RowKind::Pooled => {
                    root.draw(&Polygon::new(vec![(xl, cy), (xe, cy - 7), (xu, cy), (xe, cy + 7)], BLACK.filled()))?;
                }
                RowKind::Prediction => {
                    root.draw(&Rectangle::new([(xl, cy - 3), (xu, cy + 3)], PALETTE[3].filled()))?;
                }
                _ => {}
            }
        }
        // Axis.
        let axis_y = bottom_y + 4;
        root.draw(&PathElement::new(vec![(plot_x + 8, axis_y), (plot_x + PLOT_W - 8, axis_y)], BLACK.stroke_width(1)))?;
        for t in &ticks {
            let x = to_px(*t);
            root.draw(&PathElement::new(vec![(x, axis_y), (x, axis_y + 5)], BLACK.stroke_width(1)))?;
            root.draw(&Text::new(crate::fmt::sig(*t, 3), (x, axis_y + 8), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
        }
        root.draw(&Text::new(fit(&self.x_label, 13.0, f64::from(PLOT_W)), (plot_x + PLOT_W / 2, axis_y + 44), font(13.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
        if let Some((a, b)) = &self.favours {
            let canvas_w = f64::from(root.dim_in_pixel().0);
            root.draw(&Text::new(fit(a, 12.0, f64::from(null_x - 12)), (null_x - 8, axis_y + 26), font(12.0).color(&GREY).pos(Pos::new(HPos::Right, VPos::Top))))?;
            root.draw(&Text::new(fit(b, 12.0, canvas_w - f64::from(null_x + 12)), (null_x + 8, axis_y + 26), font(12.0).color(&GREY)))?;
        }
        for (j, line) in self.footer.iter().enumerate() {
            root.draw(&Text::new(fit(line, 12.0, full_w), (x0 + 4, axis_y + 66 + 18 * j as i32), font(12.0)))?;
        }
        Ok(())
    }
}

/// A funnel plot: each study's estimate (x; log axis for ratios) against its standard error
/// (y, 0 at the top), the pooled estimate as a vertical line and its pseudo-confidence limits
/// estimate ∓ z·SE (dashed triangle); filled studies of a trim and fill as open circles.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub log: bool,
    /// (estimate on the analysis scale, SE) of each study.
    pub points: Vec<(f64, f64)>,
    /// Studies added by trim and fill (drawn open).
    pub filled: Vec<(f64, f64)>,
    /// The pooled estimate (analysis scale) the funnel is centred on.
    pub centre: f64,
    /// z of the pseudo-confidence limits (1.96 for 95%).
    pub z: f64,
    pub level_label: String,
}

impl Plot for Funnel {
    fn kind(&self) -> &'static str {
        "funnel"
    }
    fn size(&self) -> (u32, u32) {
        (720, 584)
    }
    fn check(&self) -> Result<()> {
        if self.points.is_empty() {
            return Err(Error::Plot { plot: "funnel".into(), message: "no studies to draw".into() });
        }
        for (y, s) in self.points.iter().chain(&self.filled) {
            check_finite("funnel", "study estimate/SE", [*y, *s])?;
        }
        check_finite("funnel", "pooled estimate", [self.centre])
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let area = area.margin(0, 24, 0, 0);
        let all: Vec<&(f64, f64)> = self.points.iter().chain(&self.filled).collect();
        let se_max = all.iter().map(|p| p.1).fold(0.0, f64::max) * 1.05;
        let se_max = if se_max > 0.0 { se_max } else { 1.0 };
        let half = self.z * se_max;
        let (mut lo, mut hi) = (self.centre - half, self.centre + half);
        for p in &all {
            lo = lo.min(p.0);
            hi = hi.max(p.0);
        }
        let pad = (hi - lo) * 0.05;
        let (lo, hi) = (lo - pad, hi + pad);
        let x_label = self.x_label.clone();
        let log = self.log;
        // Ratios: the axis shows the ratio at round values (0.1, 0.2, 0.5, 1, 2, ...) at their
        // log positions.
        let ticks: Vec<f64> = if log { super::meta::log_ticks(lo.exp(), hi.exp()).into_iter().map(f64::ln).collect() } else { linear_ticks(lo, hi) };
        let n_ticks = ticks.len();
        let mut chart = ChartBuilder::on(&area).margin(12).x_label_area_size(48).y_label_area_size(60).build_cartesian_2d(lo..hi, se_max..0.0)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            .x_labels(0)
            .x_desc(fit(&x_label, 13.0, f64::from(pw) - 4.0))
            .y_desc(fit("Standard error", 13.0, f64::from(ph) - 4.0))
            .y_label_formatter(&|y: &f64| crate::fmt::sig(*y, 2))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .draw()?;
        for t in ticks.iter().take(n_ticks) {
            let (px, py) = chart.backend_coord(&(*t, se_max));
            root.draw(&PathElement::new(vec![(px, py), (px, py + 5)], BLACK.stroke_width(1)))?;
            let text = if log { crate::fmt::sig(t.exp(), 3) } else { crate::fmt::sig(*t, 3) };
            root.draw(&Text::new(text, (px, py + 8), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
        }
        let dashed = |a: (f64, f64), b: (f64, f64)| {
            let steps = 40;
            (0..steps).step_by(2).map(move |i| {
                let f0 = i as f64 / steps as f64;
                let f1 = (i + 1) as f64 / steps as f64;
                PathElement::new(vec![(a.0 + (b.0 - a.0) * f0, a.1 + (b.1 - a.1) * f0), (a.0 + (b.0 - a.0) * f1, a.1 + (b.1 - a.1) * f1)], GREY.stroke_width(1))
            })
        };
        chart.draw_series(dashed((self.centre, 0.0), (self.centre - half, se_max)))?;
        chart.draw_series(dashed((self.centre, 0.0), (self.centre + half, se_max)))?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(self.centre, 0.0), (self.centre, se_max)], BLACK.stroke_width(1))))?;
        chart.draw_series(self.points.iter().map(|(y, s)| Circle::new((*y, *s), 4, PALETTE[0].filled())))?;
        chart.draw_series(self.filled.iter().map(|(y, s)| Circle::new((*y, *s), 4, BLACK.stroke_width(1))))?;
        // The key under the plot (never over a long title).
        if !self.level_label.is_empty() {
            let (w, h) = root.dim_in_pixel();
            root.draw(&Text::new(fit(&self.level_label, 12.0, f64::from(w) - 32.0), (16, h as i32 - 22), font(12.0).color(&GREY)))?;
        }
        Ok(())
    }
}

use crate::analysis::Report;
use crate::stats::{Estimate, Measure, Method};

use crate::fmt::capitalise as cap;

/// "estimate (lower to upper)" under the precision policy (the PI row: the pooled estimate's scale).
fn ci_text(e: &Estimate, report: &Report) -> String {
    let scale = crate::render::scale_in(e, report);
    match (e.estimate, e.ci) {
        (Some(x), Some(c)) => crate::fmt::estimate_ci(scale, x, Some((c.lower, c.upper))),
        _ => String::new(),
    }
}

fn is_effect(e: &Estimate) -> bool {
    !matches!(
        e.measure,
        Measure::PredictionInterval | Measure::Tau2 | Measure::Tau | Measure::I2 | Measure::H2 | Measure::CochranQ | Measure::SubgroupDifference | Measure::EggerTest | Measure::MetaRegression | Measure::RSquared
    )
}

fn pooled_row(e: &Estimate, label: String, report: &Report) -> Option<MetaRow> {
    let c = e.ci?;
    Some(MetaRow { kind: if e.measure == Measure::PredictionInterval { RowKind::Prediction } else { RowKind::Pooled }, label, arms: None, estimate: e.estimate?, lower: c.lower, upper: c.upper, weight: None, text: ci_text(e, report) })
}

/// "Heterogeneity: τ² = 0.055; I² = 46%; Q = 30.2, df = 15 (p = 0.011)" of the rows with
/// `subgroup`.
fn heterogeneity_line(report: &Report, subgroup: Option<&str>) -> Option<String> {
    let find = |m: Measure| report.results.iter().find(|e| e.measure == m && e.group.is_none() && e.subset.sensitivity.is_none() && e.subset.subgroup.as_deref() == subgroup);
    let q = find(Measure::CochranQ)?;
    let tau2 = find(Measure::Tau2)?;
    let i2 = find(Measure::I2)?;
    let mut s = format!("Heterogeneity: τ² = {}", crate::fmt::sig(tau2.estimate.unwrap_or(0.0), 2));
    if let Some(c) = i2.ci.filter(|_| subgroup.is_none()) {
        s.push_str(&format!("; I² = {:.0}% ({:.0}% to {:.0}%)", 100.0 * i2.estimate.unwrap_or(0.0), 100.0 * c.lower, 100.0 * c.upper));
    } else {
        s.push_str(&format!("; I² = {:.0}%", 100.0 * i2.estimate.unwrap_or(0.0)));
    }
    s.push_str(&format!("; Q = {}, df = {}", crate::fmt::sig(q.statistic.unwrap_or(0.0), 3), q.df.unwrap_or(0.0)));
    if let Some(p) = q.p_value {
        s.push_str(&format!(" (p {})", p_text(p)));
    }
    Some(s)
}

fn p_text(p: f64) -> String {
    let t = crate::fmt::pvalue(p);
    if t.starts_with('<') {
        t
    } else {
        format!("= {t}")
    }
}

/// The forest plot of a `meta` report; see [`MetaForest`].
pub fn forest_of(report: &Report, title: &str) -> Result<MetaForest> {
    let main: Vec<&Estimate> = report.results.iter().filter(|e| e.subset.sensitivity.is_none()).collect();
    let study_est = |s: &str| main.iter().find(|e| e.group.as_deref() == Some(s) && e.subset.subgroup.is_none() && is_effect(e)).copied();
    let measure = main.iter().find(|e| e.group.is_some()).map(|e| e.measure).ok_or_else(|| Error::Plot { plot: "forest".into(), message: "the report has no studies".into() })?;
    let log = matches!(measure, Measure::RiskRatio | Measure::OddsRatio | Measure::PetoOddsRatio | Measure::RatioOfMeans | Measure::HazardRatio);
    let level = main.iter().find_map(|e| e.ci.map(|c| c.level)).unwrap_or(0.95);
    let ci_label = format!("{}% CI", crate::fmt::trim_num(100.0 * level, 4));
    let name = crate::render::measure_label(measure, false);
    let study_row = |s: &crate::analysis::meta::MetaStudy| -> MetaRow {
        match study_est(&s.study) {
            Some(e) if e.ci.is_some() && e.estimate.is_some() => {
                let c = e.ci.unwrap_or(crate::stats::Ci::new(0.0, 0.0, level));
                MetaRow { kind: RowKind::Study, label: s.study.clone(), arms: s.arms.clone(), estimate: e.estimate.unwrap_or(0.0), lower: c.lower, upper: c.upper, weight: s.weight_random, text: ci_text(e, report) }
            }
            _ => MetaRow { kind: RowKind::Text, label: format!("{}: not estimable ({})", s.study, s.left_out.clone().unwrap_or_default()), arms: None, estimate: 0.0, lower: 0.0, upper: 0.0, weight: None, text: String::new() },
        }
    };
    let random = |subgroup: Option<&str>| main.iter().find(|e| is_effect(e) && e.group.is_none() && e.subset.subgroup.as_deref() == subgroup && !matches!(e.method, Method::InverseVariance | Method::GreenlandRobins | Method::RobinsBreslowGreenland | Method::Sato | Method::Peto)).copied();
    let mut rows = Vec::new();
    let var = report.inputs.get("subgroup").and_then(|v| v.as_str()).map(str::to_string);
    match &var {
        Some(v) => {
            let mut levels: Vec<String> = Vec::new();
            for s in &report.studies {
                if let Some(g) = &s.subgroup {
                    if !levels.contains(g) {
                        levels.push(g.clone());
                    }
                }
            }
            for g in &levels {
                let sub = format!("{v} = {g}");
                rows.push(MetaRow { kind: RowKind::Heading, label: sub.clone(), arms: None, estimate: 0.0, lower: 0.0, upper: 0.0, weight: None, text: String::new() });
                rows.extend(report.studies.iter().filter(|s| s.subgroup.as_deref() == Some(g.as_str())).map(study_row));
                if let Some(e) = random(Some(&sub)) {
                    rows.extend(pooled_row(e, format!("Subtotal: {}", crate::render::meta_model_label(e).to_lowercase().replace("(reml", "(REML").replace("(dl", "(DL").replace("(pm", "(PM").replace("(sj", "(SJ").replace("(ml", "(ML").replace("(he", "(HE").replace("(eb", "(EB").replace("(hs", "(HS").replace("hksj", "HKSJ")), report));
                }
                rows.extend(heterogeneity_line(report, Some(&sub)).map(|t| MetaRow { kind: RowKind::Text, label: t, arms: None, estimate: 0.0, lower: 0.0, upper: 0.0, weight: None, text: String::new() }));
            }
            rows.push(MetaRow { kind: RowKind::Heading, label: "Overall".into(), arms: None, estimate: 0.0, lower: 0.0, upper: 0.0, weight: None, text: String::new() });
        }
        None => rows.extend(report.studies.iter().filter(|s| !s.filled).map(study_row)),
    }
    let common = main.iter().find(|e| e.group.is_none() && e.subset.subgroup.is_none() && matches!(e.method, Method::GreenlandRobins | Method::RobinsBreslowGreenland | Method::Sato | Method::Peto)).or_else(|| main.iter().find(|e| e.group.is_none() && e.subset.subgroup.is_none() && is_effect(e) && e.method == Method::InverseVariance)).copied();
    if let Some(e) = common {
        rows.extend(pooled_row(e, crate::render::meta_model_label(e), report));
    }
    if let Some(e) = random(None) {
        rows.extend(pooled_row(e, crate::render::meta_model_label(e), report));
    }
    if let Some(e) = main.iter().find(|e| e.measure == Measure::PredictionInterval && e.subset.subgroup.is_none()) {
        rows.extend(pooled_row(e, "Prediction interval".into(), report));
    }
    let mut footer = Vec::new();
    footer.extend(heterogeneity_line(report, None));
    if let Some(e) = random(None) {
        footer.push(format!("Test for overall effect, {}: {} = {}{} (p {})", crate::render::meta_model_label(e).replacen("Random", "random", 1), if e.df.is_some() { "t" } else { "z" }, crate::fmt::sig(e.statistic.unwrap_or(0.0), 3), e.df.map(|d| format!(", df = {d}")).unwrap_or_default(), p_text(e.p_value.unwrap_or(1.0))));
    }
    for e in main.iter().filter(|e| e.measure == Measure::SubgroupDifference) {
        footer.push(format!(
            "Test for subgroup differences ({}): χ² = {}, df = {} (p {})",
            if e.method == Method::InverseVariance { "common effect" } else { "random effects" },
            crate::fmt::sig(e.statistic.unwrap_or(0.0), 3),
            e.df.unwrap_or(0.0),
            p_text(e.p_value.unwrap_or(1.0))
        ));
    }
    footer.push("Squares sized by random-effects weight; diamonds: pooled estimates; bar: prediction interval.".into());
    // One column, one number of decimals: the most any row needs under the precision policy.
    let scale = if log { crate::fmt::Scale::Ratio } else { crate::render::precision_scale(measure) };
    let d = rows.iter().filter(|r| !r.text.is_empty()).map(|r| crate::fmt::shared_decimals(scale, Some(r.estimate), Some((r.lower, r.upper)))).max().unwrap_or(2);
    for r in rows.iter_mut().filter(|r| !r.text.is_empty()) {
        r.text = format!("{} ({} to {})", crate::fmt::fixed(r.estimate, d), crate::fmt::fixed(r.lower, d), crate::fmt::fixed(r.upper, d));
    }
    let arms: Vec<String> = report.layout.groups.iter().map(|g| g.label.clone()).collect();
    let means = report.studies.iter().any(|s| s.arms.as_ref().is_some_and(|a| a[0].contains('(')));
    let arm_headers = (report.studies.iter().any(|s| s.arms.is_some()) && arms.len() == 2).then(|| {
        let what = if means { "mean (SD) n" } else { "events/total" };
        [format!("{}\n{what}", arms[0]), format!("{}\n{what}", arms[1])]
    });
    Ok(MetaForest {
        label_header: "Study".into(),
        title: title.to_string(),
        subtitle: report.layout.title.clone(),
        arm_headers,
        estimate_header: format!("{} ({ci_label})", cap(name)),
        x_label: format!("{}{}", cap(name), if log { " (log scale)" } else { "" }),
        log,
        rows,
        favours: report.layout.favours.clone().map(|[a, b]| (a, b)),
        footer,
    })
}

/// The funnel plot of a `meta` report: studies' estimates against their SEs around the
/// random-effects estimate; trim-and-fill's filled studies (open circles) when the report has
/// them.
pub fn funnel_of(report: &Report, title: &str) -> Result<Funnel> {
    let points: Vec<(f64, f64)> = report.studies.iter().filter(|s| !s.filled).filter_map(|s| Some((s.yi?, s.vi?.sqrt()))).collect();
    let filled: Vec<(f64, f64)> = report.studies.iter().filter(|s| s.filled).filter_map(|s| Some((s.yi?, s.vi?.sqrt()))).collect();
    let main: Vec<&Estimate> = report.results.iter().filter(|e| e.subset.sensitivity.is_none() && e.subset.subgroup.is_none() && e.group.is_none()).collect();
    let re = main
        .iter()
        .find(|e| is_effect(e) && !matches!(e.method, Method::InverseVariance | Method::GreenlandRobins | Method::RobinsBreslowGreenland | Method::Sato | Method::Peto))
        .ok_or_else(|| Error::Plot { plot: "funnel".into(), message: "the report has no random-effects estimate".into() })?;
    let log = re.se_log.is_some();
    let centre = if log { re.estimate.unwrap_or(1.0).ln() } else { re.estimate.unwrap_or(0.0) };
    let level = re.ci.map_or(0.95, |c| c.level);
    let name = crate::render::measure_label(re.measure, false);
    Ok(Funnel {
        title: title.to_string(),
        subtitle: report.layout.title.clone(),
        x_label: format!("{}{}", cap(name), if log { " (log scale)" } else { "" }),
        log,
        points,
        filled,
        centre,
        z: crate::stats::dist::z_for_level(level),
        level_label: format!(
            "dashed: pseudo {}% limits around the {}{}",
            crate::fmt::trim_num(100.0 * level, 4),
            crate::render::meta_model_label(re).replacen("Random", "random", 1),
            if report.studies.iter().any(|s| s.filled) { "; open: filled by trim and fill" } else { "" }
        ),
    })
}
