//! Plots of analysis results, each as SVG and PNG with one look: title, axis titles with units,
//! arm colours from the Okabe–Ito palette (distinguishable with colour-vision deficiencies), CI
//! whiskers, and the estimate with its CI printed beside each row of a forest-type plot.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (through ab_glyph), never a system
//! font, so the same input gives the same PNG bytes on any machine; the PNG is encoded by the
//! `png` crate with fixed settings. SVGs name the font family `DejaVu Sans, sans-serif`.
//!
//! Plots take plain numbers (rows, groups, points): building them from reports is the job of
//! [`from_report`].
//!
//! | plot | what |
//! |---|---|
//! | [`Forest`] | one row per stratum, subgroup or term: estimate and CI, log scale for ratios, line of no effect |
//! | [`RateBars`] | a proportion (responder rate, incidence) per arm with its CI |
//! | [`Waterfall`] | per-subject percent change, sorted, coloured by arm, with the responder threshold |
//! | [`BoxStrip`] | box plot with the points of each arm (change from baseline) |
//! | [`MeanOverVisits`] | mean ± CI by arm over visits |
//! | [`AeDot`] | AE incidence per arm (dots, left) and the risk ratio with CI (right), one row per term |
//! | [`Volcano`] | log risk ratio against −log10 p, one point per term |
//! | [`KaplanMeierPlot`] | Kaplan–Meier curves by arm, censor ticks, CI bands, medians, numbers at risk |

pub mod from_report;
pub mod meta;
pub mod glyph;

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, DejaVu changes public domain; see
/// `src/plot/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// The family name text is drawn with.
pub const FONT_FAMILY: &str = "DejaVu Sans";

fn ensure_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [FontStyle::Normal, FontStyle::Bold]
            .iter()
            .all(|s| plotters::style::register_font(FONT_FAMILY, *s, FONT).is_ok() && plotters::style::register_font("sans-serif", *s, FONT).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Plot { plot: "font".into(), message: "the embedded DejaVu Sans could not be read".into() })
    }
}

/// Okabe & Ito (2008) palette, black first skipped: orange, sky blue, bluish green, yellow,
/// blue, vermillion, reddish purple.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
];

/// The colour of arm `k`.
pub fn arm_colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

const GREY: RGBColor = RGBColor(120, 120, 120);

/// A rendered plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub svg: String,
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The drawing error type of a backend.
pub type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A plot that can draw itself on any plotters backend.
pub trait Plot {
    /// Short name for messages (`forest`, `waterfall`, ...).
    fn kind(&self) -> &'static str;
    /// Size in pixels (SVG user units).
    fn size(&self) -> (u32, u32);
    /// Draw on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
    /// Check the data before drawing (non-empty, finite, positive on a log axis).
    fn check(&self) -> Result<()>;
}

fn plot_err(kind: &str, e: impl std::fmt::Debug) -> Error {
    Error::Plot { plot: kind.into(), message: format!("{e:?}") }
}

/// Render `plot` as SVG and PNG.
/// Every text `plot` draws with the pixel box of its ink, before clipping to the canvas (size
/// `plot.size()`): a text whose box reaches outside the canvas would be cut off.
pub fn text_ink(plot: &impl Plot) -> Result<Vec<glyph::TextInk>> {
    ensure_font()?;
    plot.check()?;
    let (w, h) = plot.size();
    let mut rgb = vec![255u8; (w as usize) * (h as usize) * 3];
    let rec = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    {
        let font = ab_glyph::FontRef::try_from_slice(FONT).map_err(|e| plot_err(plot.kind(), e))?;
        let root = glyph::GlyphText { inner: BitMapBackend::with_buffer(&mut rgb, (w, h)), font, ink: Some(rec.clone()) }.into_drawing_area();
        plot.draw(&root).map_err(|e| plot_err(plot.kind(), e))?;
        root.present().map_err(|e| plot_err(plot.kind(), e))?;
    }
    let out = rec.borrow().clone();
    Ok(out)
}

pub fn render(plot: &impl Plot) -> Result<Figure> {
    ensure_font()?;
    plot.check()?;
    let (w, h) = plot.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(plot.kind(), e))?;
        plot.draw(&root).map_err(|e| plot_err(plot.kind(), e))?;
        root.present().map_err(|e| plot_err(plot.kind(), e))?;
    }
    let mut rgb = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let font = ab_glyph::FontRef::try_from_slice(FONT).map_err(|e| plot_err(plot.kind(), e))?;
        let root = glyph::GlyphText { inner: BitMapBackend::with_buffer(&mut rgb, (w, h)), font, ink: None }.into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_err(plot.kind(), e))?;
        plot.draw(&root).map_err(|e| plot_err(plot.kind(), e))?;
        root.present().map_err(|e| plot_err(plot.kind(), e))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        let mut writer = enc.write_header().map_err(|e| plot_err(plot.kind(), e))?;
        writer.write_image_data(&rgb).map_err(|e| plot_err(plot.kind(), e))?;
    }
    // SVG text: name the embedded family first, a generic family as fallback.
    let svg = svg.replace("font-family=\"DejaVu Sans\"", "font-family=\"DejaVu Sans, sans-serif\"");
    Ok(Figure { svg, png: png_bytes, width: w, height: h })
}

/// Width in pixels of `text` at pixel size `size`, as the PNG draws it (the embedded font's
/// advances with kerning; bold text, drawn with the same outlines in the PNG and heavier in an
/// SVG viewer, is given 8 % more).
pub fn text_width(text: &str, size: f64) -> f64 {
    match ab_glyph::FontRef::try_from_slice(FONT) {
        Ok(f) => f64::from(glyph::advance(&f, size as f32, text)),
        Err(_) => 0.6 * size * text.chars().count() as f64,
    }
}

/// `text` cut (at a word if it can, else at a character) to fit `max` pixels at `size`,
/// ending in "…"; as it is when it fits.
pub fn fit(text: &str, size: f64, max: f64) -> String {
    if text_width(text, size) <= max {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 0 && text_width(&(chars[..n].iter().collect::<String>() + "…"), size) > max {
        n -= 1;
    }
    let cut: String = chars[..n].iter().collect();
    // Prefer ending at a word when that keeps most of the text.
    let at_word = match cut.rfind(' ') {
        Some(i) if i * 3 >= cut.len() * 2 => cut[..i].trim_end_matches([',', ';', ':']).to_string(),
        _ => cut,
    };
    at_word + "…"
}

/// `text` broken at spaces into lines of at most `max` pixels at `size`; at most `lines` lines,
/// the last cut with "…" when the text does not fit.
pub fn wrap(text: &str, size: f64, max: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size) <= max || line.is_empty() {
            line = candidate;
        } else {
            out.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    out.push(line);
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(rest);
    }
    out.into_iter().map(|l| fit(&l, size, max)).collect()
}

fn font(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&BLACK)
}

fn bold(size: f64) -> TextStyle<'static> {
    (FONT_FAMILY, size, FontStyle::Bold).into_font().color(&BLACK)
}

fn check_finite(kind: &str, what: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    for v in values {
        if !v.is_finite() {
            return Err(Error::Plot { plot: kind.into(), message: format!("{what} = {v}: every value drawn must be finite") });
        }
    }
    Ok(())
}

/// Format a number for labels: 3 significant digits.
fn num(x: f64) -> String {
    crate::fmt::sig(x, 3)
}

/// A "nice" axis range around [lo, hi] with some padding.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if lo == hi {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.06;
    (lo - pad, hi + pad)
}

/// Log-axis range around [lo, hi] (both > 0), padded by a factor.
fn log_padded(lo: f64, hi: f64) -> (f64, f64) {
    let (l, h) = (lo.ln(), hi.ln());
    let pad = ((h - l) * 0.08).max(0.05);
    ((l - pad).exp(), (h + pad).exp())
}

/// Draw the title, the subtitle and (if any) a horizontal arm legend; the area below them.
/// Draw the title (at most two lines), the subtitle (at most two lines) and (if any) a horizontal
/// arm legend (wrapping onto new lines); the area below them. Nothing runs past the right edge:
/// lines break at spaces, and what still does not fit ends in "…".
fn title_area<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str, subtitle: &str, legend_arms: &[String]) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let width = f64::from(root.dim_in_pixel().0);
    let max = width - 32.0;
    let mut y = 12;
    for line in wrap(title, 18.0 * 1.08, max, 2) {
        root.draw(&Text::new(line, (16, y), bold(18.0)))?;
        y += 24;
    }
    let mut top = y + 6;
    if !subtitle.is_empty() {
        let mut sy = y + 2;
        for line in wrap(subtitle, 13.0, max, 2) {
            root.draw(&Text::new(line, (16, sy), font(13.0).color(&GREY)))?;
            sy += 18;
        }
        top = sy + 4;
    }
    if !legend_arms.is_empty() {
        let mut x = 16;
        for (k, a) in legend_arms.iter().enumerate() {
            let label = fit(a, 13.0, max - 18.0);
            let w = text_width(&label, 13.0).ceil() as i32;
            if x > 16 && f64::from(x + 18 + w) > width - 16.0 {
                x = 16;
                top += 20;
            }
            root.draw(&Rectangle::new([(x, top + 2), (x + 12, top + 14)], arm_colour(k).filled()))?;
            root.draw(&Text::new(label, (x + 18, top), font(13.0)))?;
            x += 18 + w + 22;
        }
        top += 24;
    }
    Ok(root.margin(top, 8, 8, 8))
}

// ---------------------------------------------------------------------------------------------
// Forest plot

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// Printed at the right: e.g. `0.54 (0.35 to 0.83)`; empty prints the numbers.
    pub text: String,
    /// A summary row (pooled, MH) is drawn as a diamond.
    pub summary: bool,
    /// A heading row (a subgroup variable with its interaction p, or a row that cannot be
    /// estimated): its label and text only, no estimate drawn.
    pub header: bool,
}

/// Forest plot: estimate and CI per row, line of no effect, values printed beside each row.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    pub title: String,
    pub subtitle: String,
    /// Axis title, e.g. `Risk ratio (95% CI), log scale`.
    pub x_label: String,
    /// Ratios: log axis, no effect at 1. Differences: linear axis, no effect at 0.
    pub log: bool,
    pub rows: Vec<ForestRow>,
    /// Labels under the axis at both ends, e.g. ("favours treatment", "favours control").
    pub favours: Option<(String, String)>,
}

impl Plot for Forest {
    fn kind(&self) -> &'static str {
        "forest"
    }
    fn size(&self) -> (u32, u32) {
        (900, 130 + 28 * self.rows.len().max(1) as u32 + if self.favours.is_some() { 20 } else { 0 })
    }
    fn check(&self) -> Result<()> {
        if self.rows.is_empty() {
            return Err(Error::Plot { plot: "forest".into(), message: "no rows to draw".into() });
        }
        for r in self.rows.iter().filter(|r| !r.header) {
            check_finite("forest", &format!("{} estimate/CI", r.label), [r.estimate, r.lower, r.upper])?;
            if self.log && (r.lower <= 0.0 || r.estimate <= 0.0) {
                return Err(Error::Plot { plot: "forest".into(), message: format!("{}: a ratio of 0 cannot be drawn on a log axis", r.label) });
            }
        }
        Ok(())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let n = self.rows.len();
        let lo = self.rows.iter().filter(|r| !r.header).map(|r| r.lower).fold(f64::INFINITY, f64::min);
        let hi = self.rows.iter().filter(|r| !r.header).map(|r| r.upper).fold(f64::NEG_INFINITY, f64::max);
        let null = if self.log { 1.0 } else { 0.0 };
        let (lo, hi) = (lo.min(null), hi.max(null));
        let label_w = 260;
        let text_w = 190;
        let (left, rest) = area.split_horizontally(label_w);
        let (plot_area, right) = rest.split_horizontally(rest.dim_in_pixel().0 as i32 - text_w);
        let bottom = if self.favours.is_some() { 62 } else { 42 };
        let y_range = -0.5f64..(n as f64 - 0.5);
        let texts: Vec<String> =
            self.rows.iter().map(|r| if r.text.is_empty() { format!("{} ({} to {})", num(r.estimate), num(r.lower), num(r.upper)) } else { r.text.clone() }).collect();
        macro_rules! body {
            ($chart:expr, $to_x:expr) => {{
                let mut chart = $chart;
                let (pw, _) = chart.plotting_area().dim_in_pixel();
                chart.configure_mesh().disable_y_mesh().disable_y_axis().x_desc(fit(&self.x_label, 13.0, f64::from(pw) - 4.0)).x_label_style(font(12.0)).axis_desc_style(font(13.0)).x_labels(7).light_line_style(TRANSPARENT).draw()?;
                chart.draw_series(std::iter::once(PathElement::new(vec![($to_x(null), -0.5), ($to_x(null), n as f64 - 0.5)], BLACK.stroke_width(1))))?;
                for (i, r) in self.rows.iter().enumerate() {
                    let y = (n - 1 - i) as f64;
                    if r.header {
                        let (_, py) = chart.backend_coord(&($to_x(null), y));
                        let (lx, _) = left.get_base_pixel();
                        let (rx, _) = right.get_base_pixel();
                        root.draw(&Text::new(fit(&r.label, 13.0 * 1.08, f64::from(label_w) - 8.0), (lx + 4, py - 7), bold(13.0)))?;
                        root.draw(&Text::new(fit(&r.text, 13.0, f64::from(text_w) - 14.0), (rx + 10, py - 7), font(13.0).color(&GREY)))?;
                        continue;
                    }
                    let c = if r.summary { BLACK } else { PALETTE[0] };
                    chart.draw_series(std::iter::once(PathElement::new(vec![($to_x(r.lower), y), ($to_x(r.upper), y)], c.stroke_width(2))))?;
                    if r.summary {
                        let (xl, xe, xu) = ($to_x(r.lower), $to_x(r.estimate), $to_x(r.upper));
                        chart.draw_series(std::iter::once(Polygon::new(vec![(xl, y), (xe, y + 0.3), (xu, y), (xe, y - 0.3)], BLACK.filled())))?;
                    } else {
                        let (px, py) = chart.backend_coord(&($to_x(r.estimate), y));
                        root.draw(&Rectangle::new([(px - 5, py - 5), (px + 5, py + 5)], c.filled()))?;
                    }
                    let (_, py) = chart.backend_coord(&($to_x(r.estimate), y));
                    let (lx, _) = left.get_base_pixel();
                    let (rx, _) = right.get_base_pixel();
                    let style = if r.summary { bold(13.0) } else { font(13.0) };
                    let k = if r.summary { 13.0 * 1.08 } else { 13.0 };
                    root.draw(&Text::new(fit(&r.label, k, f64::from(label_w) - 8.0), (lx + 4, py - 7), style.clone()))?;
                    root.draw(&Text::new(fit(&texts[i], k, f64::from(text_w) - 14.0), (rx + 10, py - 7), style))?;
                }
                if let Some((a, b)) = &self.favours {
                    let (x0, y0) = chart.backend_coord(&($to_x(null), -0.5));
                    let width = f64::from(root.dim_in_pixel().0);
                    root.draw(&Text::new(fit(&format!("← {a}"), 12.0, f64::from(x0 - 12)), (x0 - 8, y0 + 26), font(12.0).color(&GREY).pos(Pos::new(HPos::Right, VPos::Top))))?;
                    root.draw(&Text::new(fit(&format!("{b} →"), 12.0, width - f64::from(x0 + 12)), (x0 + 8, y0 + 26), font(12.0).color(&GREY)))?;
                }
            }};
        }
        if self.log {
            let (a, b) = log_padded(lo, hi);
            let chart = ChartBuilder::on(&plot_area).margin_right(8).x_label_area_size(bottom).build_cartesian_2d((a..b).log_scale(), y_range)?;
            body!(chart, |x: f64| x);
        } else {
            let (a, b) = padded(lo, hi);
            let chart = ChartBuilder::on(&plot_area).margin_right(8).x_label_area_size(bottom).build_cartesian_2d(a..b, y_range)?;
            body!(chart, |x: f64| x);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Rates by arm

/// One group of a [`RateBars`] plot (proportions as fractions, drawn as percentages).
#[derive(Debug, Clone, PartialEq)]
pub struct RateBar {
    pub label: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// e.g. `87/161`.
    pub count: String,
}

/// A proportion per arm with its CI (responder rates, AE incidence).
#[derive(Debug, Clone, PartialEq)]
pub struct RateBars {
    pub title: String,
    pub subtitle: String,
    /// e.g. `Responders (%), 95% Wilson CI`.
    pub y_label: String,
    pub groups: Vec<RateBar>,
}

impl Plot for RateBars {
    fn kind(&self) -> &'static str {
        "rates"
    }
    fn size(&self) -> (u32, u32) {
        (160 + 150 * self.groups.len().max(1) as u32, 520)
    }
    fn check(&self) -> Result<()> {
        if self.groups.is_empty() {
            return Err(Error::Plot { plot: "rates".into(), message: "no groups to draw".into() });
        }
        for g in &self.groups {
            check_finite("rates", &g.label, [g.estimate, g.lower, g.upper])?;
        }
        Ok(())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let n = self.groups.len();
        let top = self.groups.iter().map(|g| g.upper).fold(0.0, f64::max) * 100.0;
        let y_max = (top * 1.15).max(5.0).min(100.0_f64.max(top));
        let mut chart = ChartBuilder::on(&area).margin(10).x_label_area_size(50).y_label_area_size(70).build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        // Each label within its group's slot.
        let slot = f64::from(pw) / n as f64 - 8.0;
        let labels: Vec<String> = self.groups.iter().map(|g| fit(&g.label, 12.0, slot)).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                    labels[k as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_desc(fit(&self.y_label, 13.0, f64::from(ph) - 4.0))
            .x_label_style(font(13.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for (k, g) in self.groups.iter().enumerate() {
            let x = k as f64;
            let c = arm_colour(k);
            chart.draw_series(std::iter::once(Rectangle::new([(x - 0.3, 0.0), (x + 0.3, g.estimate * 100.0)], c.mix(0.75).filled())))?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, g.lower * 100.0), (x, g.upper * 100.0)], BLACK.stroke_width(2))))?;
            for y in [g.lower * 100.0, g.upper * 100.0] {
                chart.draw_series(std::iter::once(PathElement::new(vec![(x - 0.08, y), (x + 0.08, y)], BLACK.stroke_width(2))))?;
            }
            let (px, py) = chart.backend_coord(&(x, g.upper * 100.0));
            let label = format!("{}% ({})", crate::fmt::fixed(g.estimate * 100.0, crate::fmt::shared_decimals(crate::fmt::Scale::Percent, Some(g.estimate * 100.0), None)), g.count);
            root.draw(&Text::new(label, (px - 40, py - 22), font(12.0)))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Waterfall

/// Per-subject percent change, sorted from largest increase to largest decrease.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    pub title: String,
    pub subtitle: String,
    pub y_label: String,
    pub arms: Vec<String>,
    /// (arm index, value) per subject.
    pub bars: Vec<(usize, f64)>,
    /// The responder threshold on the same scale (e.g. −35 for "≥ 35% reduction").
    pub threshold: Option<f64>,
    /// Subjects of the arms without a value to draw (missing baseline or follow-up, or a
    /// baseline of 0), counted in the x-axis caption.
    pub not_shown: usize,
}

impl Plot for Waterfall {
    fn kind(&self) -> &'static str {
        "waterfall"
    }
    /// As wide as whole-pixel bars of equal width need (1–12 px each, about 900 px of bars).
    fn size(&self) -> (u32, u32) {
        let n = self.bars.len().max(1) as u32;
        let w = (900 / n).clamp(1, 12);
        ((110 + n * w).max(720), 540)
    }
    fn check(&self) -> Result<()> {
        if self.bars.is_empty() {
            return Err(Error::Plot { plot: "waterfall".into(), message: "no subjects to draw".into() });
        }
        check_finite("waterfall", "value", self.bars.iter().map(|b| b.1).chain(self.threshold))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &self.arms)?;
        let mut bars = self.bars.clone();
        bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let lo = bars.iter().map(|b| b.1).fold(0.0, f64::min).min(self.threshold.unwrap_or(0.0));
        let hi = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(self.threshold.unwrap_or(0.0));
        let (a, b) = padded(lo, hi);
        let n = bars.len();
        let caption = if self.not_shown > 0 {
            format!("Subjects, sorted by change ({n} shown; {} without a value at follow-up or baseline not shown)", self.not_shown)
        } else {
            format!("Subjects, sorted by change ({n})")
        };
        let mut chart = ChartBuilder::on(&area).margin(10).x_label_area_size(36).y_label_area_size(70).build_cartesian_2d(0f64..n as f64, a..b)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_desc(fit(&caption, 13.0, f64::from(pw) - 4.0))
            .y_desc(fit(&self.y_label, 13.0, f64::from(ph) - 4.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .draw()?;
        // Equal bars: a whole number of pixels each (a gap of 1 px when bars are 3 px or wider).
        let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
        let (x1, _) = chart.backend_coord(&(n as f64, 0.0));
        let w = ((x1 - x0) / n.max(1) as i32).max(1);
        let gap = if w >= 3 { 1 } else { 0 };
        let left = x0 + ((x1 - x0) - w * n as i32) / 2;
        for (i, (k, v)) in bars.iter().enumerate() {
            let (_, py) = chart.backend_coord(&(0.0, *v));
            let xa = left + i as i32 * w;
            root.draw(&Rectangle::new([(xa, py.min(y0)), (xa + w - gap, py.max(y0))], arm_colour(*k).filled()))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (n as f64, 0.0)], BLACK.stroke_width(1))))?;
        if let Some(t) = self.threshold {
            chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, t), (n as f64, t)], RGBColor(200, 0, 0).stroke_width(2))))?;
            let (px, py) = chart.backend_coord(&(0.0, t));
            root.draw(&Text::new(format!("responder threshold {} %", num(t)), (px + 6, py + 4), font(12.0).color(&RGBColor(200, 0, 0))))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Box and strip

/// Box plot (type-7 quartiles, whiskers to the most extreme points within 1.5 IQR) with every
/// point of each group, jittered deterministically.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStrip {
    pub title: String,
    pub subtitle: String,
    pub y_label: String,
    pub groups: Vec<(String, Vec<f64>)>,
}

impl Plot for BoxStrip {
    fn kind(&self) -> &'static str {
        "box"
    }
    fn size(&self) -> (u32, u32) {
        (200 + 170 * self.groups.len().max(1) as u32, 540)
    }
    fn check(&self) -> Result<()> {
        if self.groups.is_empty() || self.groups.iter().any(|g| g.1.is_empty()) {
            return Err(Error::Plot { plot: "box".into(), message: "every group needs at least one value".into() });
        }
        check_finite("box", "value", self.groups.iter().flat_map(|g| g.1.iter().copied()))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        use crate::stats::descriptive::quantile;
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let n = self.groups.len();
        let lo = self.groups.iter().flat_map(|g| g.1.iter().copied()).fold(f64::INFINITY, f64::min).min(0.0);
        let hi = self.groups.iter().flat_map(|g| g.1.iter().copied()).fold(f64::NEG_INFINITY, f64::max).max(0.0);
        let (a, b) = padded(lo, hi);
        let mut chart = ChartBuilder::on(&area).margin(10).x_label_area_size(50).y_label_area_size(70).build_cartesian_2d(-0.5f64..(n as f64 - 0.5), a..b)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        // Each label within its group's slot, the n kept whole.
        let slot = f64::from(pw) / n as f64 - 8.0;
        let labels: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let n = format!(" (n = {})", g.1.len());
                fit(&g.0, 12.0, slot - text_width(&n, 12.0)) + &n
            })
            .collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                    labels[k as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_desc(fit(&self.y_label, 13.0, f64::from(ph) - 4.0))
            .x_label_style(font(13.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)], GREY.stroke_width(1))))?;
        let mut rng = crate::stats::rng::Rng::new(20041, 0);
        for (k, (_, v)) in self.groups.iter().enumerate() {
            let x = k as f64;
            let c = arm_colour(k);
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            let q = |p: f64| quantile(&s, p, 7).unwrap_or(f64::NAN);
            let (q1, med, q3) = (q(0.25), q(0.5), q(0.75));
            let iqr = q3 - q1;
            let wlo = s.iter().copied().find(|&y| y >= q1 - 1.5 * iqr).unwrap_or(q1);
            let whi = s.iter().rev().copied().find(|&y| y <= q3 + 1.5 * iqr).unwrap_or(q3);
            for y in v {
                let j = (rng.next_f64() - 0.5) * 0.5;
                chart.draw_series(std::iter::once(Circle::new((x + j, *y), 2, c.mix(0.45).filled())))?;
            }
            chart.draw_series(std::iter::once(Rectangle::new([(x - 0.2, q1), (x + 0.2, q3)], BLACK.stroke_width(2))))?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x - 0.2, med), (x + 0.2, med)], BLACK.stroke_width(3))))?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, q3), (x, whi)], BLACK.stroke_width(1))))?;
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, q1), (x, wlo)], BLACK.stroke_width(1))))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Mean ± CI over visits

/// One arm's mean and CI at each visit (`None` where it has no data).
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSeries {
    pub arm: String,
    pub points: Vec<Option<(f64, f64, f64)>>,
    /// Subjects behind each point (printed under the axis).
    pub n: Vec<Option<u64>>,
}

/// Mean ± CI of each arm over visits, arms slightly dodged.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanOverVisits {
    pub title: String,
    pub subtitle: String,
    pub y_label: String,
    /// Visit labels as printed.
    pub visits: Vec<String>,
    /// The visits' times (x positions, spaced as the times are); `None`: evenly spaced.
    pub times: Option<Vec<f64>>,
    pub x_label: String,
    pub series: Vec<VisitSeries>,
}

impl Plot for MeanOverVisits {
    fn kind(&self) -> &'static str {
        "visits"
    }
    fn size(&self) -> (u32, u32) {
        (900, 520)
    }
    fn check(&self) -> Result<()> {
        if self.visits.is_empty() || self.series.is_empty() {
            return Err(Error::Plot { plot: "visits".into(), message: "no visits or arms to draw".into() });
        }
        if let Some(t) = &self.times {
            if t.len() != self.visits.len() {
                return Err(Error::Plot { plot: "visits".into(), message: "one time per visit".into() });
            }
            check_finite("visits", "visit time", t.iter().copied())?;
        }
        check_finite("visits", "mean/CI", self.series.iter().flat_map(|s| s.points.iter().flatten().flat_map(|p| [p.0, p.1, p.2])))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let arms: Vec<String> = self.series.iter().map(|s| s.arm.clone()).collect();
        let area = title_area(root, &self.title, &self.subtitle, &arms)?;
        let nv = self.visits.len();
        let all: Vec<f64> = self.series.iter().flat_map(|s| s.points.iter().flatten().flat_map(|p| [p.1, p.2])).chain([0.0]).collect();
        let (a, b) = padded(all.iter().copied().fold(f64::INFINITY, f64::min), all.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        // x of visit i: its time, or i; the range padded by half the smallest spacing.
        let xs: Vec<f64> = match &self.times {
            Some(t) => t.clone(),
            None => (0..nv).map(|i| i as f64).collect(),
        };
        let span = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) - xs.iter().copied().fold(f64::INFINITY, f64::min);
        let pad = if span > 0.0 { span * 0.12 } else { 0.5 };
        let (x_lo, x_hi) = (xs.iter().copied().fold(f64::INFINITY, f64::min) - pad, xs.iter().copied().fold(f64::NEG_INFINITY, f64::max) + pad);
        let mut chart = ChartBuilder::on(&area).margin(10).margin_right(30).x_label_area_size(64).y_label_area_size(70).build_cartesian_2d(x_lo..x_hi, a..b)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .x_desc(fit(&self.x_label, 13.0, f64::from(pw) - 4.0))
            .y_desc(fit(&self.y_label, 13.0, f64::from(ph) - 4.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .draw()?;
        // Visit labels at their x (each within the space to its neighbours), and the n of each
        // arm under them (in the legend's order).
        let pxs: Vec<i32> = xs.iter().map(|x| chart.backend_coord(&(*x, a)).0).collect();
        let (left_edge, right_edge) = (chart.backend_coord(&(x_lo, a)).0, chart.backend_coord(&(x_hi, a)).0 + 30);
        for (i, v) in self.visits.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(xs[i], a));
            let gap = |j: Option<&i32>, edge: i32| 2 * j.map_or((px - edge).abs(), |q| (px - q).abs() / 2);
            let room = gap(i.checked_sub(1).and_then(|j| pxs.get(j)), left_edge).min(gap(pxs.get(i + 1), right_edge)) - 8;
            root.draw(&PathElement::new(vec![(px, py), (px, py + 5)], BLACK.stroke_width(1)))?;
            root.draw(&Text::new(fit(v, 12.0, f64::from(room.max(0))), (px, py + 8), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
            let ns: Vec<String> = self.series.iter().map(|s| s.n.get(i).copied().flatten().map_or("–".into(), |n| n.to_string())).collect();
            if self.series.iter().any(|s| s.n.get(i).copied().flatten().is_some()) {
                root.draw(&Text::new(format!("n = {}", ns.join(" / ")), (px, py + 24), font(11.0).color(&GREY).pos(Pos::new(HPos::Center, VPos::Top))))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(vec![(x_lo, 0.0), (x_hi, 0.0)], GREY.stroke_width(1))))?;
        let ns = self.series.len();
        let dodge = if span > 0.0 { span * 0.012 } else { 0.08 };
        for (k, s) in self.series.iter().enumerate() {
            let c = arm_colour(k);
            let dx = (k as f64 - (ns as f64 - 1.0) / 2.0) * dodge;
            let pts: Vec<(f64, f64)> = s.points.iter().enumerate().filter_map(|(i, p)| p.map(|p| (xs[i] + dx, p.0))).collect();
            chart.draw_series(std::iter::once(PathElement::new(pts.clone(), c.stroke_width(2))))?;
            for (i, p) in s.points.iter().enumerate() {
                if let Some((m, l, u)) = p {
                    let x = xs[i] + dx;
                    chart.draw_series(std::iter::once(PathElement::new(vec![(x, *l), (x, *u)], c.stroke_width(2))))?;
                    chart.draw_series(std::iter::once(Circle::new((x, *m), 5, c.filled())))?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// AE dot plot with the risk-ratio panel

/// One term of an [`AeDot`] plot.
#[derive(Debug, Clone, PartialEq)]
pub struct AeDotRow {
    pub term: String,
    /// Incidence (fraction) per arm, in the plot's arm order.
    pub incidence: Vec<f64>,
    /// Risk ratio of the first arm against the last (the control), with its CI; `None` when
    /// undefined (no events in one arm) — the row then has no ratio drawn.
    pub ratio: Option<(f64, f64, f64)>,
}

/// AE incidence per arm (left) and the risk ratio with CI (right), one row per term.
#[derive(Debug, Clone, PartialEq)]
pub struct AeDot {
    pub title: String,
    pub subtitle: String,
    pub arms: Vec<String>,
    /// e.g. `Risk ratio (Xanomeline High Dose vs Placebo), 95% Koopman CI`.
    pub ratio_label: String,
    pub rows: Vec<AeDotRow>,
}

impl Plot for AeDot {
    fn kind(&self) -> &'static str {
        "ae-dot"
    }
    fn size(&self) -> (u32, u32) {
        (1100, 150 + 24 * self.rows.len().max(1) as u32)
    }
    fn check(&self) -> Result<()> {
        if self.rows.is_empty() {
            return Err(Error::Plot { plot: "ae-dot".into(), message: "no terms to draw".into() });
        }
        for r in &self.rows {
            check_finite("ae-dot", &r.term, r.incidence.iter().copied())?;
            if let Some((e, l, u)) = r.ratio {
                check_finite("ae-dot", &r.term, [e, l, u])?;
                if l <= 0.0 {
                    return Err(Error::Plot { plot: "ae-dot".into(), message: format!("{}: a ratio of 0 cannot be drawn on a log axis", r.term) });
                }
            }
        }
        Ok(())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &self.arms)?;
        let n = self.rows.len();
        let (labels, rest) = area.split_horizontally(280);
        let (left, right) = rest.split_horizontally(rest.dim_in_pixel().0 as i32 / 2);
        let y_range = -0.5f64..(n as f64 - 0.5);
        let max_pct = self.rows.iter().flat_map(|r| r.incidence.iter().copied()).fold(0.0, f64::max) * 100.0;
        let mut lc = ChartBuilder::on(&left).margin_right(20).x_label_area_size(56).build_cartesian_2d(0f64..(max_pct * 1.1).max(1.0), y_range.clone())?;
        let (pw, _) = lc.plotting_area().dim_in_pixel();
        lc.configure_mesh().disable_y_mesh().disable_y_axis().x_desc(fit("Incidence (% of subjects)", 13.0, f64::from(pw) - 4.0)).x_label_style(font(12.0)).axis_desc_style(font(13.0)).light_line_style(TRANSPARENT).draw()?;
        let (lx, _) = labels.get_base_pixel();
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (k, p) in r.incidence.iter().enumerate() {
                lc.draw_series(std::iter::once(Circle::new((p * 100.0, y), 5, arm_colour(k).filled())))?;
            }
            let (_, py) = lc.backend_coord(&(0.0, y));
            root.draw(&Text::new(fit(&r.term, 12.0, 268.0), (lx + 4, py - 7), font(12.0)))?;
        }
        let ratios: Vec<(f64, f64, f64)> = self.rows.iter().filter_map(|r| r.ratio).collect();
        let lo = ratios.iter().map(|r| r.1).fold(1.0, f64::min);
        let hi = ratios.iter().map(|r| r.2).fold(1.0, f64::max);
        let (a, b) = log_padded(lo, hi);
        let mut rc = ChartBuilder::on(&right).margin_right(16).x_label_area_size(56).build_cartesian_2d((a..b).log_scale(), y_range)?;
        let (pw, _) = rc.plotting_area().dim_in_pixel();
        rc.configure_mesh().disable_y_mesh().disable_y_axis().x_desc(fit(&self.ratio_label, 13.0, f64::from(pw) - 4.0)).x_label_style(font(12.0)).axis_desc_style(font(13.0)).x_labels(6).light_line_style(TRANSPARENT).draw()?;
        rc.draw_series(std::iter::once(PathElement::new(vec![(1.0, -0.5), (1.0, n as f64 - 0.5)], BLACK.stroke_width(1))))?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if let Some((e, l, u)) = r.ratio {
                rc.draw_series(std::iter::once(PathElement::new(vec![(l, y), (u, y)], BLACK.stroke_width(2))))?;
                rc.draw_series(std::iter::once(Circle::new((e, y), 4, BLACK.filled())))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Volcano

/// One term of a [`Volcano`] plot.
#[derive(Debug, Clone, PartialEq)]
pub struct VolcanoPoint {
    pub term: String,
    pub ratio: f64,
    pub p_value: f64,
}

/// log2 risk ratio against −log10 p, one point per term; the `label_top` smallest p labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct Volcano {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub points: Vec<VolcanoPoint>,
    pub label_top: usize,
}

impl Plot for Volcano {
    fn kind(&self) -> &'static str {
        "volcano"
    }
    fn size(&self) -> (u32, u32) {
        (900, 620)
    }
    fn check(&self) -> Result<()> {
        if self.points.is_empty() {
            return Err(Error::Plot { plot: "volcano".into(), message: "no terms with a finite, positive risk ratio to draw".into() });
        }
        for p in &self.points {
            check_finite("volcano", &p.term, [p.ratio, p.p_value])?;
            if p.ratio <= 0.0 || p.p_value <= 0.0 {
                return Err(Error::Plot { plot: "volcano".into(), message: format!("{}: ratio and p must be positive", p.term) });
            }
        }
        Ok(())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = title_area(root, &self.title, &self.subtitle, &[])?;
        let xs: Vec<f64> = self.points.iter().map(|p| p.ratio.log2()).collect();
        let ys: Vec<f64> = self.points.iter().map(|p| -p.p_value.log10()).collect();
        let m = xs.iter().fold(1.0f64, |m, x| m.max(x.abs())) * 1.1;
        let top = ys.iter().copied().fold(2.0f64, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(&area).margin(10).margin_right(30).x_label_area_size(50).y_label_area_size(70).build_cartesian_2d(-m..m, 0f64..top)?;
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .x_desc(fit(&self.x_label, 13.0, f64::from(pw) - 4.0))
            .y_desc(fit("−log10 p (Fisher's exact test)", 13.0, f64::from(ph) - 4.0))
            .x_label_style(font(12.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, top)], BLACK.stroke_width(1))))?;
        let p05 = -(0.05f64.log10());
        chart.draw_series(std::iter::once(PathElement::new(vec![(-m, p05), (m, p05)], RGBColor(200, 0, 0).stroke_width(1))))?;
        let (px, py) = chart.backend_coord(&(-m, p05));
        root.draw(&Text::new("p = 0.05", (px + 4, py - 16), font(11.0).color(&RGBColor(200, 0, 0))))?;
        for (i, _) in self.points.iter().enumerate() {
            let c = if xs[i] > 0.0 { PALETTE[3] } else { PALETTE[0] };
            chart.draw_series(std::iter::once(Circle::new((xs[i], ys[i]), 4, c.mix(0.7).filled())))?;
        }
        let mut order: Vec<usize> = (0..self.points.len()).collect();
        order.sort_by(|&a, &b| ys[b].total_cmp(&ys[a]).then(self.points[a].term.cmp(&self.points[b].term)));
        // Label the most significant terms; a label that would overlap one already drawn is
        // skipped. Labels on the right half are anchored to their right so they stay inside.
        let mut placed: Vec<(i32, i32, i32)> = Vec::new();
        let mut shown = 0;
        for &i in order.iter() {
            if shown == self.label_top {
                break;
            }
            let (px, py) = chart.backend_coord(&(xs[i], ys[i]));
            // At most 220 px, and never past the canvas's edge on the side it extends to.
            let room = if xs[i] > 0.0 { f64::from(px - 12) } else { f64::from(root.dim_in_pixel().0 as i32 - px - 12) };
            let term = fit(&self.points[i].term, 11.0, room.clamp(0.0, 220.0));
            let w = text_width(&term, 11.0).ceil() as i32;
            let (x0, anchor) = if xs[i] > 0.0 { (px - 8 - w, Pos::new(HPos::Right, VPos::Center)) } else { (px + 8, Pos::new(HPos::Left, VPos::Center)) };
            if placed.iter().any(|&(a, b, y)| (py - y).abs() < 14 && x0 < b && x0 + w > a) {
                continue;
            }
            placed.push((x0, x0 + w, py));
            let tx = if xs[i] > 0.0 { px - 8 } else { px + 8 };
            root.draw(&Text::new(term, (tx, py), font(11.0).pos(anchor)))?;
            shown += 1;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Kaplan–Meier curves

/// One arm's curve of a [`KaplanMeierPlot`].
#[derive(Debug, Clone, PartialEq)]
pub struct KmArm {
    pub label: String,
    /// (time, S, lower, upper) at each time of the curve (censor-only times included).
    pub steps: Vec<(f64, f64, Option<f64>, Option<f64>)>,
    /// (time, S) of each censoring time: drawn as a tick on the curve.
    pub censored: Vec<(f64, f64)>,
    /// Median survival time; `None` when not reached.
    pub median: Option<f64>,
    /// Numbers at risk at each of the plot's `ticks`.
    pub at_risk: Vec<u64>,
}

/// Kaplan–Meier curves by arm: step lines, censor ticks, optional pointwise CI bands, median
/// reference lines, and the numbers at risk under the time axis, one column per axis tick.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeierPlot {
    pub title: String,
    pub subtitle: String,
    /// Axis title, e.g. `Time since first dose (days)`.
    pub x_label: String,
    pub y_label: String,
    /// Control first.
    pub arms: Vec<KmArm>,
    /// Axis ticks (from 0, evenly spaced): the times of the numbers-at-risk table.
    pub ticks: Vec<f64>,
    pub ci_bands: bool,
    pub median_lines: bool,
}

impl KaplanMeierPlot {
    fn x_max(&self) -> f64 {
        let last = self.arms.iter().filter_map(|a| a.steps.last().map(|s| s.0)).fold(0.0, f64::max);
        let tick = self.ticks.last().copied().unwrap_or(0.0);
        let step = if self.ticks.len() > 1 { self.ticks[1] - self.ticks[0] } else { last.max(1.0) };
        if last > tick { tick + step } else { tick.max(last).max(step) }
    }
}

impl Plot for KaplanMeierPlot {
    fn kind(&self) -> &'static str {
        "kaplan-meier"
    }
    fn size(&self) -> (u32, u32) {
        (900, 520 + 22 * self.arms.len() as u32)
    }
    fn check(&self) -> Result<()> {
        if self.arms.is_empty() || self.arms.iter().any(|a| a.steps.is_empty()) {
            return Err(Error::Plot { plot: "kaplan-meier".into(), message: "an arm without a curve to draw".into() });
        }
        for a in &self.arms {
            check_finite("kaplan-meier", &format!("{} time/survival", a.label), a.steps.iter().flat_map(|s| [s.0, s.1]))?;
            if a.at_risk.len() != self.ticks.len() {
                return Err(Error::Plot { plot: "kaplan-meier".into(), message: format!("{}: numbers at risk do not match the axis ticks", a.label) });
            }
        }
        check_finite("kaplan-meier", "tick", self.ticks.iter().copied())
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let labels: Vec<String> = self.arms.iter().map(|a| a.label.clone()).collect();
        let area = title_area(root, &self.title, &self.subtitle, &labels)?;
        let table_h = 34 + 22 * self.arms.len() as u32;
        let (h_total, left_w) = (area.dim_in_pixel().1, 200u32);
        let (plot_area, table) = area.split_vertically(h_total.saturating_sub(table_h));
        let x_max = self.x_max();
        let mut chart = ChartBuilder::on(&plot_area).margin_right(24).x_label_area_size(46).y_label_area_size(left_w).build_cartesian_2d(0.0..x_max, 0.0..1.02)?;
        let (_, ph) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|y: &f64| format!("{}", (y * 100.0).round()))
            .y_desc(fit(&self.y_label, 13.0, f64::from(ph) - 4.0))
            .y_label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(230, 230, 230))
            .draw()?;
        // Time axis: a tick and a label at each numbers-at-risk time, the axis title below.
        for &t in &self.ticks {
            let (px, py) = chart.backend_coord(&(t, 0.0));
            root.draw(&PathElement::new(vec![(px, py), (px, py + 5)], BLACK.stroke_width(1)))?;
            root.draw(&Text::new(num_axis(t), (px, py + 8), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
        }
        let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
        let (x1, _) = chart.backend_coord(&(x_max, 0.0));
        root.draw(&Text::new(fit(&self.x_label, 13.0, f64::from(x1 - x0)), ((x0 + x1) / 2, y0 + 26), font(13.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
        for (k, a) in self.arms.iter().enumerate() {
            let colour = arm_colour(k);
            if self.ci_bands {
                let band: Vec<(f64, f64, f64)> = a.steps.iter().filter_map(|s| Some((s.0, s.2?, s.3?))).collect();
                if band.len() > 1 {
                    let mut upper = Vec::new();
                    let mut lower = Vec::new();
                    for w in band.windows(2) {
                        upper.extend([(w[0].0, w[0].2), (w[1].0, w[0].2)]);
                        lower.extend([(w[0].0, w[0].1), (w[1].0, w[0].1)]);
                    }
                    let last = band[band.len() - 1];
                    upper.push((last.0, last.2));
                    lower.push((last.0, last.1));
                    lower.reverse();
                    upper.extend(lower);
                    chart.draw_series(std::iter::once(Polygon::new(upper, colour.mix(0.15).filled())))?;
                }
            }
            // The step function from (0, 1).
            let mut path = vec![(0.0, 1.0)];
            let mut s_prev = 1.0;
            for s in &a.steps {
                path.push((s.0, s_prev));
                path.push((s.0, s.1));
                s_prev = s.1;
            }
            chart.draw_series(std::iter::once(PathElement::new(path, colour.stroke_width(2))))?;
            for &(t, s) in &a.censored {
                let (px, py) = chart.backend_coord(&(t, s));
                root.draw(&PathElement::new(vec![(px, py - 5), (px, py + 5)], colour.stroke_width(1)))?;
            }
            if let (true, Some(m)) = (self.median_lines, a.median) {
                let grey = GREY.stroke_width(1);
                chart.draw_series(std::iter::once(plotters::element::DashedPathElement::new(vec![(0.0, 0.5), (m, 0.5)], 4, 4, grey)))?;
                chart.draw_series(std::iter::once(plotters::element::DashedPathElement::new(vec![(m, 0.5), (m, 0.0)], 4, 4, colour.stroke_width(1))))?;
            }
        }
        // Numbers at risk, one column per tick.
        let (_, ty) = table.get_base_pixel();
        root.draw(&Text::new("Number at risk".to_string(), (16, ty + 8), bold(13.0)))?;
        for (k, a) in self.arms.iter().enumerate() {
            let y = ty + 30 + 22 * k as i32;
            root.draw(&Rectangle::new([(16, y + 2), (26, y + 12)], arm_colour(k).filled()))?;
            root.draw(&Text::new(fit(&a.label, 12.0, f64::from(left_w) - 40.0), (32, y), font(12.0)))?;
            for (t, n) in self.ticks.iter().zip(&a.at_risk) {
                let (px, _) = chart.backend_coord(&(*t, 0.0));
                root.draw(&Text::new(n.to_string(), (px, y), font(12.0).pos(Pos::new(HPos::Center, VPos::Top))))?;
            }
        }
        Ok(())
    }
}

/// An axis label: whole numbers as integers, others with up to 3 significant digits.
fn num_axis(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{}", x as i64)
    } else {
        num(x)
    }
}
