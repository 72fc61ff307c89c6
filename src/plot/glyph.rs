//! Text for the PNG backend, rasterised here with ab_glyph from the embedded font: glyphs sit on
//! one baseline and advance by their float widths with kerning (plotters' own ab_glyph text aligns
//! each glyph by its pixel bounds and truncates advances, so a period floats and letters jitter).
//! Everything except text is delegated to the wrapped backend unchanged.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform};

/// A backend whose text is drawn with [`GlyphText`]'s rasteriser.
pub struct GlyphText<'f, B: DrawingBackend> {
    pub inner: B,
    pub font: FontRef<'f>,
    /// When set, every text drawn is recorded with the box of its ink (before clipping to the
    /// canvas): what [`crate::plot::text_ink`] checks.
    pub ink: Option<std::rc::Rc<std::cell::RefCell<Vec<TextInk>>>>,
}

/// A text drawn and the pixel box its ink covers (inclusive; may reach outside the canvas).
#[derive(Debug, Clone, PartialEq)]
pub struct TextInk {
    pub text: String,
    pub min: (i32, i32),
    pub max: (i32, i32),
}

/// Width (float pixels) of `text` in `font` at pixel height `size`, with kerning.
pub fn advance(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let f = font.as_scaled(PxScale::from(size));
    let mut x = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let g = f.glyph_id(c);
        if let Some(p) = prev {
            x += f.kern(p, g);
        }
        x += f.h_advance(g);
        prev = Some(g);
    }
    x
}

impl<B: DrawingBackend> GlyphText<'_, B> {
    fn advance(&self, size: f32, text: &str) -> f32 {
        advance(&self.font, size, text)
    }
}

impl<B: DrawingBackend> DrawingBackend for GlyphText<'_, B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(&mut self, ul: BackendCoord, br: BackendCoord, style: &S, fill: bool) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<T: BackendTextStyle>(&self, text: &str, style: &T) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let size = style.size() as f32;
        Ok((self.advance(size, text).ceil() as u32, size.ceil() as u32))
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let size = style.size() as f32;
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let width = self.advance(size, text);
        let height = size;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Right => -width,
            HPos::Center => -width / 2.0,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        // The box's top is at y = 0; the baseline at the ascent (scaled so that ascent −
        // descent = size).
        let baseline = scaled.ascent();
        let trans: FontTransform = style.transform();
        let (w, h) = self.get_size();
        let mut caret = 0f32;
        let mut prev = None;
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret + dx, baseline + dy));
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|x, y, cov| {
                    if cov > 0.0 {
                        pixels.push((b.min.x as i32 + x as i32, b.min.y as i32 + y as i32, cov));
                    }
                });
            }
            caret += scaled.h_advance(id);
        }
        let mut ink = TextInk { text: text.to_string(), min: (i32::MAX, i32::MAX), max: (i32::MIN, i32::MIN) };
        for (x, y, cov) in pixels {
            let (tx, ty) = trans.transform(x, y);
            let (px, py) = (pos.0 + tx, pos.1 + ty);
            ink.min = (ink.min.0.min(px), ink.min.1.min(py));
            ink.max = (ink.max.0.max(px), ink.max.1.max(py));
            if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                self.inner.draw_pixel((px, py), BackendColor { alpha: color.alpha * f64::from(cov.min(1.0)), rgb: color.rgb })?;
            }
        }
        if let Some(rec) = &self.ink {
            if ink.min.0 <= ink.max.0 {
                rec.borrow_mut().push(ink);
            }
        }
        Ok(())
    }
}
