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

/// `s` with its first letter upper-cased ("random effects" → "Random effects").
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// A ratio or difference with two decimals ("0.73"; "inf" for an infinite limit; never "-0.00"),
/// as forest plots print estimates and CI limits.
pub fn two_decimals(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".into()
    } else {
        s
    }
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

/// A p-value as medical journals print it: "<0.0001", four decimals below 0.001, else three.
pub fn pvalue(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 0.0001 {
        "<0.0001".into()
    } else if p < 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.3}")
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
        assert_eq!(pvalue(0.00021), "0.0002");
        assert_eq!(pvalue(1e-9), "<0.0001");
        assert_eq!(pvalue(0.0312), "0.031");
    }
}
