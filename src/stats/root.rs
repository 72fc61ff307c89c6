//! Root finding for CI inversion: Brent's method (Brent 1973, "Algorithms for Minimization
//! without Derivatives", ch. 4) and a bracket search that walks outwards geometrically.
//!
//! R's `uniroot` stops at `tol = .Machine$double.eps^0.25` (about 1.2e-4) by default, which is why
//! fisher.test's CI and the wilcox.test normal-approximation CIs are only good to a few digits;
//! trialstat solves to [`TIGHT`] instead.

use crate::error::{Error, Result};

/// Absolute x-tolerance used for CI inversion unless a caller needs otherwise.
pub const TIGHT: f64 = 1e-13;

/// Find x in [a, b] with f(x) = 0, given f(a) and f(b) of opposite signs (or one of them zero).
/// Stops when the bracket is narrower than `2 * (4 ε |x| + xtol)`.
pub fn brent(mut f: impl FnMut(f64) -> f64, a: f64, b: f64, xtol: f64) -> Result<f64> {
    let (mut a, mut b) = (a, b);
    let mut fa = f(a);
    let mut fb = f(b);
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    if fa.is_nan() || fb.is_nan() || fa.signum() == fb.signum() {
        return Err(Error::NoConvergence {
            what: "root bracket".into(),
            detail: format!("f({a}) = {fa} and f({b}) = {fb} do not bracket a root"),
        });
    }
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..500 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
        if fb.is_nan() {
            return Err(Error::NoConvergence { what: "root search".into(), detail: format!("f({b}) is NaN") });
        }
    }
    Err(Error::NoConvergence { what: "root search".into(), detail: "500 iterations".into() })
}

/// Walk from `start` by multiplying the distance by `factor` (towards `limit`) until `f` changes
/// sign relative to `f(start)`; returns the bracket `(inner, outer)`, or `None` if `limit` is
/// reached without a sign change.
pub fn bracket_outward(
    mut f: impl FnMut(f64) -> f64,
    start: f64,
    first_step: f64,
    limit: f64,
    factor: f64,
) -> Option<(f64, f64)> {
    let f0 = f(start);
    let dir = if limit > start { 1.0 } else { -1.0 };
    let mut inner = start;
    let mut step = first_step.abs().max(1e-12);
    for _ in 0..2000 {
        let mut x = inner + dir * step;
        if (dir > 0.0 && x >= limit) || (dir < 0.0 && x <= limit) {
            x = limit;
        }
        let fx = f(x);
        if fx == 0.0 || fx.signum() != f0.signum() {
            return Some((inner, x));
        }
        if x == limit {
            return None;
        }
        inner = x;
        step *= factor;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_sqrt2() {
        let r = brent(|x| x * x - 2.0, 0.0, 2.0, 1e-15).unwrap();
        assert!((r - std::f64::consts::SQRT_2).abs() < 1e-14);
    }

    #[test]
    fn brent_rejects_non_bracket() {
        assert!(brent(|x| x * x + 1.0, -1.0, 1.0, 1e-12).is_err());
    }

    #[test]
    fn bracket_walks_out() {
        let (lo, hi) = bracket_outward(|x| x - 100.0, 0.0, 1.0, 1e6, 2.0).unwrap();
        assert!(lo < 100.0 && hi >= 100.0);
    }
}
