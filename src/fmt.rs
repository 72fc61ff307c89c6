//! Number formatting for human-readable output (text tables, Markdown, notes). Machine formats
//! (JSON, CSV) print full precision instead.

/// `x` to `digits` significant digits, trailing zeros after the point removed
/// (`sig(0.056452, 4)` = "0.05645", `sig(12.40, 4)` = "12.4", `sig(106224.0, 4)` = "106224").
/// Whole parts are never rounded away: numbers of more than `digits` integer digits print as
/// integers. Very small or large magnitudes use scientific notation (`1.234e-07`).
pub fn sig(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "NA".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-5..15).contains(&mag) {
        let s = format!("{:.*e}", digits.saturating_sub(1), x);
        // 1.230e-7 -> 1.23e-07
        if let Some((m, e)) = s.split_once('e') {
            let m = trim_zeros(m);
            let e: i32 = e.parse().unwrap_or(0);
            return format!("{m}e{}{:02}", if e < 0 { "-" } else { "+" }, e.abs());
        }
        return s;
    }
    let decimals = (digits as i32 - 1 - mag).max(0) as usize;
    trim_zeros(&format!("{x:.decimals$}"))
}

/// A list as a sentence lists it: "a", "a and b", "a, b and c" (`sep` between all but the last
/// two: ", ", or "; " for items that hold commas).
pub fn and_list(items: &[String], sep: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} and {last}", init.join(sep)),
    }
}

/// `s` with its first letter upper-cased ("random effects" → "Random effects").
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// `x` with at most `decimals` decimals, trailing zeros removed (`trim_num(95.0, 2)` = "95").
pub fn trim_num(x: f64, decimals: usize) -> String {
    trim_zeros(&format!("{x:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" {
            "0".into()
        } else {
            t.into()
        }
    } else {
        s.into()
    }
}

/// A whole number with thousands separators (`thousands(106224.0)` = "106,224").
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return sig(x, 4);
    }
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// A p-value as medical journals print it (the precision policy): "<0.001" below 0.001, else
/// three decimals ("0.003", "0.189", "1.000").
pub fn pvalue(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 0.001 {
        "<0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// "p = 0.012" or "p <0.001": a p-value after "p", with "=" unless it is a bound.
pub fn p_equals(p: f64) -> String {
    let t = pvalue(p);
    if t.starts_with('<') {
        format!("p {t}")
    } else {
        format!("p = {t}")
    }
}

/// What an estimate is, for the precision policy's choice of decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A ratio (RR, OR, HR, ...): two decimals, as journals print them (`1.68 (1.27 to 2.22)`,
    /// `0.45 (0.12 to 15.30)`).
    Ratio,
    /// A percentage or percentage points: one decimal (`0.7% (0.3% to 1.4%)`, `-11.7 pp`).
    Percent,
    /// Anything else (means, differences, effect sizes, times): three significant digits.
    Other,
}

/// The decimals an estimate and its CI limits share (the precision policy). Let m be the larger
/// of |estimate| and the CI's half-width: ratios get two decimals and percentages one, unless m
/// is below 0.1; then, and for every other estimate, three significant digits of m
/// (`-4.64 (-7.08 to -2.20)`, `-8.33 (-10.31 to -6.35)`, `0.0565 (0.0269 to 0.1180)`,
/// `0.000 (-0.500 to 0.500)`), at most 6 decimals. Non-finite values are ignored; with nothing
/// finite and non-zero, the scale's usual decimals (2 for `Other`).
pub fn shared_decimals(scale: Scale, estimate: Option<f64>, ci: Option<(f64, f64)>) -> usize {
    let usual = match scale {
        Scale::Ratio | Scale::Other => 2,
        Scale::Percent => 1,
    };
    let mut m = estimate.filter(|x| x.is_finite()).map_or(0.0, f64::abs);
    if let Some((lo, hi)) = ci {
        if lo.is_finite() && hi.is_finite() {
            m = m.max((hi - lo).abs() / 2.0);
        }
    }
    if m == 0.0 || !m.is_finite() {
        return usual;
    }
    if scale != Scale::Other && m >= 0.1 {
        return usual;
    }
    // Three significant digits of m; rounding first, so that 9.996 (10.0) takes the decimals of 10.
    let mag = m.log10().floor() as i32;
    let mut decimals = (2 - mag).max(0);
    let rounded = (m * 10f64.powi(decimals)).round() / 10f64.powi(decimals);
    if rounded >= 10f64.powi(mag + 1) {
        decimals = (decimals - 1).max(0);
    }
    (decimals as usize).min(6)
}

/// "estimate (lower to upper)" under the precision policy (an empty CI part without a CI).
pub fn estimate_ci(scale: Scale, estimate: f64, ci: Option<(f64, f64)>) -> String {
    let d = shared_decimals(scale, Some(estimate), ci);
    match ci {
        Some((lo, hi)) => format!("{} ({} to {})", fixed(estimate, d), fixed(lo, d), fixed(hi, d)),
        None => fixed(estimate, d),
    }
}

/// `x` with exactly `decimals` decimals ("inf", "-inf", "NA"; never "-0.00").
pub fn fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "NA".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Most characters of a value quoted in a message; longer values end in `…`.
pub const QUOTE_CHARS: usize = 80;

/// A value as messages quote it: control characters escaped (`\n`, `\t`, `\u{1b}`), at most
/// [`QUOTE_CHARS`] characters, then `…` (a 10 MB field never floods a terminal).
pub fn quote_value(s: &str) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == QUOTE_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.056452, 4), "0.05645");
        assert_eq!(sig(12.40, 4), "12.4");
        assert_eq!(sig(106224.0, 4), "106224");
        assert_eq!(sig(-11.7, 4), "-11.7");
        assert_eq!(sig(1.23e-7, 4), "1.23e-07");
        assert_eq!(sig(0.0, 4), "0");
        assert_eq!(sig(f64::INFINITY, 4), "inf");
        assert_eq!(sig(-0.00001, 3), "-0.00001");
        assert_eq!(sig(0.99999, 3), "1");
    }

    #[test]
    fn separators_and_p() {
        assert_eq!(thousands(106224.0), "106,224");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
        assert_eq!(pvalue(0.625), "0.625");
        assert_eq!(pvalue(0.00021), "<0.001");
        assert_eq!(pvalue(0.001), "0.001");
        assert_eq!(pvalue(1e-9), "<0.001");
        assert_eq!(pvalue(0.0312), "0.031");
        assert_eq!(p_equals(0.0312), "p = 0.031");
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&v(&["pk2"]), ", "), "pk2");
        assert_eq!(and_list(&v(&["pk2", "pk5"]), ", "), "pk2 and pk5");
        assert_eq!(and_list(&v(&["a", "b", "c"]), "; "), "a; b and c");
        assert_eq!(p_equals(0.0002), "p <0.001");
    }

    #[test]
    fn estimate_and_ci_share_decimals() {
        use Scale::*;
        let d = |k: Scale, e: f64, lo: f64, hi: f64| shared_decimals(k, Some(e), Some((lo, hi)));
        assert_eq!(d(Other, -4.64, -7.081, -2.199), 2);
        assert_eq!(d(Other, -8.329, -10.31, -6.351), 2);
        assert_eq!(d(Other, 0.0004, -0.5, 0.5), 3);
        assert_eq!(d(Other, 190.0, 142.0, 253.0), 0);
        // 9.996 has three significant digits as 10.0.
        assert_eq!(d(Other, 9.996, 9.0, 11.0), 1);
        assert_eq!(d(Ratio, 1.68, 1.27, 2.22), 2);
        assert_eq!(d(Ratio, 0.45, 0.12, 15.3), 2);
        assert_eq!(d(Ratio, 0.0565, 0.0269, 0.118), 4);
        assert_eq!(d(Percent, 0.7, 0.339, 1.438), 1);
        assert_eq!(d(Percent, 48.2, 40.3, 56.1), 1);
        assert_eq!(d(Percent, 0.05, 0.01, 0.09), 4);
        assert_eq!(shared_decimals(Other, None, None), 2);
        assert_eq!(shared_decimals(Ratio, Some(f64::INFINITY), Some((1.0, f64::INFINITY))), 2);
        assert_eq!(estimate_ci(Other, -4.64, Some((-7.081, -2.199))), "-4.64 (-7.08 to -2.20)");
        assert_eq!(estimate_ci(Ratio, 0.7302, Some((0.6029, 0.8842))), "0.73 (0.60 to 0.88)");
        assert_eq!(fixed(-0.0004, 2), "0.00");
        assert_eq!(fixed(-2.199, 2), "-2.20");
        assert_eq!(fixed(f64::INFINITY, 2), "inf");
    }
}
