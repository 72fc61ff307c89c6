//! The stratum file of `trialstat strata FILE`: one row per stratum with the header
//! `stratum,events_treated,n_treated,events_control,n_control` (any column order; extra columns
//! are ignored). The delimiter (comma, semicolon or tab) is taken from the header line; a UTF-8
//! byte-order mark and CRLF line ends are accepted.

use super::counts::parse_whole;
use crate::data::{BinomialCount, Stratum, TwoByTwo};
use crate::error::{Error, Result};

/// Required columns of a stratum file.
pub const STRATA_COLUMNS: [&str; 5] = ["stratum", "events_treated", "n_treated", "events_control", "n_control"];

/// Read a stratum file from disk: a regular file of at most
/// [`STRATA_MAX_BYTES`](crate::input::STRATA_MAX_BYTES) (64 MiB), else a usage error.
pub fn read_strata_file(path: &std::path::Path) -> Result<Vec<Stratum>> {
    let text = crate::input::read_bounded_text(path, crate::input::STRATA_MAX_BYTES, "stratum file")?;
    parse_strata(&path.display().to_string(), &text)
}

/// The position of each of [`STRATA_COLUMNS`] in the header (names compared without case);
/// a missing one is an error listing the columns present, with the closest name.
fn column_positions(file: &str, headers: &[String], header_line: &str) -> Result<[usize; 5]> {
    let mut idx = [0usize; 5];
    for (k, col) in STRATA_COLUMNS.iter().enumerate() {
        match headers.iter().position(|h| h.eq_ignore_ascii_case(col)) {
            Some(i) => idx[k] = i,
            None => {
                let present = headers.join(", ");
                let hint = match super::closest(col, headers.iter().map(String::as_str)) {
                    Some(c) => format!(" (the file has '{c}': misspelt?)"),
                    None if headers.len() == 1 && header_line.contains([',', ';', '\t']) => String::new(),
                    None if headers.len() == 1 => " (is the file delimited by commas, semicolons or tabs?)".into(),
                    None => String::new(),
                };
                return Err(Error::File {
                    file: file.into(),
                    message: format!("missing column '{col}'{hint}; columns present: {present}; required: {}", STRATA_COLUMNS.join(",")),
                });
            }
        }
    }
    Ok(idx)
}

/// Parse the text of a stratum file; `file` names it in errors.
pub fn parse_strata(file: &str, text: &str) -> Result<Vec<Stratum>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header_line = text.lines().next().unwrap_or("");
    if header_line.trim().is_empty() {
        return Err(Error::File { file: file.into(), message: format!("empty file; expected the header {}", STRATA_COLUMNS.join(",")) });
    }
    let delimiter = sniff_delimiter(header_line);
    let mut rdr = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::File { file: file.into(), message: format!("unreadable header: {e}") })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let idx = column_positions(file, &headers, header_line)?;
    let mut strata: Vec<Stratum> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::Data { file: file.into(), line, column: "(row)".into(), value: String::new(), message: format!("malformed row: {e}") }
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim();
        let whole = |k: usize| -> Result<u64> {
            parse_whole(get(k)).map_err(|why| Error::Data {
                file: file.into(),
                line,
                column: STRATA_COLUMNS[k].into(),
                value: get(k).into(),
                message: format!("{why}; expected a whole number"),
            })
        };
        let label = get(0).to_string();
        if label.is_empty() {
            return Err(Error::Data { file: file.into(), line, column: "stratum".into(), value: String::new(), message: "empty stratum label".into() });
        }
        let (et, nt, ec, nc) = (whole(1)?, whole(2)?, whole(3)?, whole(4)?);
        let group = |e: u64, n: u64, ek: usize| -> Result<BinomialCount> {
            BinomialCount::new(e, n).map_err(|_| Error::Data {
                file: file.into(),
                line,
                column: STRATA_COLUMNS[ek].into(),
                value: e.to_string(),
                message: if n == 0 {
                    format!("{} is 0; every group needs at least one subject", STRATA_COLUMNS[ek + 1])
                } else {
                    format!("events exceed {} = {n}", STRATA_COLUMNS[ek + 1])
                },
            })
        };
        let table = TwoByTwo::new(group(et, nt, 1)?, group(ec, nc, 3)?);
        if strata.iter().any(|s| s.label == label) {
            return Err(Error::Data { file: file.into(), line, column: "stratum".into(), value: label, message: "stratum label appears twice".into() });
        }
        strata.push(Stratum { label, table });
    }
    if strata.is_empty() {
        return Err(Error::File { file: file.into(), message: "no stratum rows after the header".into() });
    }
    Ok(strata)
}

/// The delimiter of a header line: the trial-file reader's rule ([`super::reader::sniff`]), so a
/// stratum file and a trial file with the same header are split alike.
pub fn sniff_delimiter(header: &str) -> u8 {
    super::reader::sniff(header.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_comma_semicolon_tab_bom_crlf() {
        let body = "stratum,events_treated,n_treated,events_control,n_control\nA,1,10,2,10\nB,0,5,3,6\n";
        for (text, name) in [
            (body.to_string(), "comma"),
            (body.replace(',', ";"), "semicolon"),
            (body.replace(',', "\t"), "tab"),
            (format!("\u{feff}{}", body.replace('\n', "\r\n")), "bom-crlf"),
        ] {
            let s = parse_strata(name, &text).unwrap();
            assert_eq!(s.len(), 2, "{name}");
            assert_eq!(s[1].table.control.events, 3);
            assert_eq!(s[1].table.treated.n, 5);
        }
    }

    #[test]
    fn errors_name_file_line_column_value() {
        let e = parse_strata("s.csv", "stratum,events_treated,n_treated,events_control\nA,1,2,3\n").unwrap_err().to_string();
        assert!(e.starts_with("s.csv: missing column 'n_control'"), "{e}");
        assert!(e.contains("columns present: stratum, events_treated"), "{e}");
        let e = parse_strata("s.csv", "stratum,events_treatd,n_treated,events_control,n_control\n").unwrap_err().to_string();
        assert!(e.contains("missing column 'events_treated' (the file has 'events_treatd': misspelt?)"), "{e}");
        let e = parse_strata("s.csv", "stratum,events_treated,n_treated,events_control,n_control\nA,1,10,2,10\nB,x,5,3,6\n").unwrap_err().to_string();
        assert_eq!(e, "s.csv:3: column 'events_treated' = 'x': 'x' is not a whole number; expected a whole number");
        for bad in ["NaN", "nan", "inf", "-NaN"] {
            let e = parse_strata("s.csv", &format!("stratum,events_treated,n_treated,events_control,n_control\nA,1,10,{bad},10\n")).unwrap_err().to_string();
            assert!(e.contains(&format!("'{bad}' is not a whole number")) || e.contains(&format!("'{bad}' is negative")), "{e}");
            assert!(!e.contains("2^53"), "{e}");
        }
        let e = parse_strata("s.csv", "stratum,events_treated,n_treated,events_control,n_control\nA,1,1e400,2,10\n").unwrap_err().to_string();
        assert!(e.contains("above 2^53"), "{e}");
        let e = parse_strata("s.csv", "stratum,events_treated,n_treated,events_control,n_control\nA,11,10,2,10\n").unwrap_err().to_string();
        assert!(e.starts_with("s.csv:2: column 'events_treated' = '11': events exceed n_treated = 10"), "{e}");
        let e = parse_strata("s.csv", "stratum|events_treated|n_treated|events_control|n_control\n").unwrap_err().to_string();
        assert!(e.contains("delimited by commas"), "{e}");
        let e = parse_strata("s.csv", "").unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = parse_strata("s.csv", "stratum,events_treated,n_treated,events_control,n_control\nA,1,10,2,10\nA,1,10,2,10\n").unwrap_err().to_string();
        assert!(e.contains("appears twice"), "{e}");
    }
}
