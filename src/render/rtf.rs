//! RTF tables, the format clinical study reports are assembled from (r2rtf and SAS ODS RTF write
//! the same constructs): a landscape US-letter page with 0.75-inch margins, a running header
//! with "Page X of Y", the title, then each table with a ruled header row repeated on every page
//! (`\trhdr`) and a rule under its last row, then the notes as footnotes.
//!
//! Every character outside ASCII is written as `\uN?` (UTF-16 code units, signed), so the file
//! is 7-bit clean; `\`, `{` and `}` are escaped. A label's leading non-breaking spaces (the AE
//! table's preferred terms under their SOC, Table 1's statistics under their variable) become a
//! paragraph indent. Checked by opening the files in LibreOffice (tests/rtf/check.sh).

/// Page width and height (US letter, landscape) and margins, in twips.
const PAPER_W: u32 = 15840;
const PAPER_H: u32 = 12240;
const MARGIN: u32 = 1080;
/// Font size in half-points: 9 pt for tables, 10 pt for the title.
const TABLE_FS: u32 = 18;
const TITLE_FS: u32 = 20;

/// `s` as RTF text.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '{' => o.push_str("\\{"),
            '}' => o.push_str("\\}"),
            '\n' => o.push_str("\\line "),
            '\t' => o.push_str("\\tab "),
            c if c.is_ascii() && !c.is_ascii_control() => o.push(c),
            c if c.is_ascii_control() => {}
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    o.push_str(&format!("\\u{}?", *unit as i16));
                }
            }
        }
    }
    o
}

/// A document of `title` and `tables` (heading, header, rows) with `notes` under them.
pub fn document(title: &str, tables: &[super::Table], notes: &[String]) -> String {
    let mut d = String::new();
    d.push_str("{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1\n");
    d.push_str("{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}}\n");
    d.push_str(&format!("\\paperw{PAPER_W}\\paperh{PAPER_H}\\landscape\\margl{MARGIN}\\margr{MARGIN}\\margt{MARGIN}\\margb{MARGIN}\n"));
    d.push_str(&format!("\\sectd\\lndscpsxn\\pgwsxn{PAPER_W}\\pghsxn{PAPER_H}\n"));
    d.push_str("{\\header\\pard\\plain\\qr\\f0\\fs16 Page {\\field{\\*\\fldinst{ PAGE }}{\\fldrslt{1}}} of {\\field{\\*\\fldinst{ NUMPAGES }}{\\fldrslt{1}}}\\par}\n");
    d.push_str(&format!("\\pard\\plain\\qc\\sa120\\b\\f0\\fs{TITLE_FS} {}\\par\n", escape(title)));
    for (heading, head, rows) in tables {
        d.push_str(&format!("\\pard\\plain\\ql\\sb120\\sa60\\keepn\\b\\f0\\fs{TABLE_FS} {}\\par\n", escape(heading)));
        let edges = column_edges(head, rows);
        d.push_str(&row(head, &edges, true, false));
        for (i, r) in rows.iter().enumerate() {
            d.push_str(&row(r, &edges, false, i + 1 == rows.len()));
        }
        d.push_str("\\pard\\plain\\par\n");
    }
    for n in notes {
        d.push_str(&format!("\\pard\\plain\\ql\\f0\\fs16 {}\\par\n", escape(n)));
    }
    d.push_str("}\n");
    d
}

/// The pieces a cell may be broken into, one per line: "1.20 (1.05 to 1.40)" → "1.20",
/// "(1.05 to 1.40)"; "65 (75.6) [281]" → "65 (75.6)", "[281]" (a CSR's estimate over its CI).
fn pieces(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in cell.match_indices(' ') {
        let next = &cell[i + 1..];
        let ci = next.starts_with('(') && next.split(')').next().is_some_and(|inner| inner.contains(" to "));
        if ci || next.starts_with('[') {
            out.push(&cell[start..i]);
            start = i + 1;
        }
    }
    out.push(&cell[start..]);
    out
}

/// The right edges (`\cellx`, twips from the left margin) of the columns: the page width shared
/// in proportion to what each column needs: its longest piece (see [`pieces`]; a header's
/// longest word), at least 6 characters; the label column at most 40.
fn column_edges(head: &[String], rows: &[Vec<String>]) -> Vec<u32> {
    let n = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let mut want = vec![6usize; n];
    for (k, c) in head.iter().enumerate() {
        want[k] = want[k].max(c.split(' ').map(|w| w.chars().count()).max().unwrap_or(0));
    }
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            let len = if k == 0 { c.chars().count() } else { pieces(c).iter().map(|p| p.chars().count()).max().unwrap_or(0) };
            want[k] = want[k].max(len);
        }
    }
    want[0] = want[0].min(40);
    let total: usize = want.iter().sum();
    let width = (PAPER_W - 2 * MARGIN) as usize;
    let mut edge = 0usize;
    want.iter()
        .map(|w| {
            edge += width * w / total;
            edge as u32
        })
        .collect()
}

/// One table row: a header row (bold, centred, ruled above and below, repeated on each page) or
/// a body row (first column left-aligned with its indent, the others centred; `last` ruled below).
fn row(cells: &[String], edges: &[u32], header: bool, last: bool) -> String {
    let mut r = String::from("\\trowd\\trgaph72\\trleft0");
    if header {
        r.push_str("\\trhdr\\trkeep");
    }
    for e in edges {
        if header {
            r.push_str("\\clvertalb\\clbrdrt\\brdrs\\brdrw10\\clbrdrb\\brdrs\\brdrw10");
        } else if last {
            r.push_str("\\clbrdrb\\brdrs\\brdrw10");
        }
        r.push_str(&format!("\\cellx{e}"));
    }
    r.push('\n');
    for k in 0..edges.len() {
        let text = cells.get(k).map(String::as_str).unwrap_or("");
        let trimmed = text.trim_start_matches('\u{a0}');
        let indent = (text.chars().count() - trimmed.chars().count()) * 90;
        let align = if k == 0 { "\\ql" } else { "\\qc" };
        let bold = if header { "\\b" } else { "" };
        let li = if indent > 0 { format!("\\li{indent}") } else { String::new() };
        // Body cells break between an estimate and its CI (or a count and its events) when the
        // column is narrower than the cell.
        let width_chars = (edges[k] - if k == 0 { 0 } else { edges[k - 1] }) as usize / 100;
        let shown = if !header && k > 0 && trimmed.chars().count() > width_chars { pieces(trimmed).iter().map(|p| escape(p)).collect::<Vec<_>>().join("\\line ") } else { escape(trimmed) };
        r.push_str(&format!("\\pard\\plain\\intbl{align}{li}{bold}\\f0\\fs{TABLE_FS} {shown}\\cell\n"));
    }
    r.push_str("\\row\n");
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_seven_bit() {
        assert_eq!(escape("a{b}\\c"), "a\\{b\\}\\\\c");
        assert_eq!(escape("≤ 0.05 – χ²"), "\\u8804? 0.05 \\u8211? \\u967?\\u178?");
        // Above U+7FFF: negative code units; above U+FFFF: a surrogate pair.
        assert_eq!(escape("\u{ff0c}"), "\\u-244?");
        assert_eq!(escape("😀"), "\\u-10179?\\u-8704?");
        let doc = document("T", &[("H".into(), vec!["a".into(), "b".into()], vec![vec!["\u{a0}\u{a0}x".into(), "1 (2.0)".into()]])], &["n ≥ 1".into()]);
        assert!(doc.is_ascii());
        assert!(doc.starts_with("{\\rtf1") && doc.ends_with("}\n"));
        assert_eq!(doc.matches("\\row").count(), 2);
        assert_eq!(doc.matches("\\cell\n").count(), 4);
        assert!(doc.contains("\\li180\\f0\\fs18 x\\cell"));
        assert_eq!(doc.matches('{').count(), doc.matches('}').count());
        assert_eq!(pieces("1.20 (1.05 to 1.40)"), ["1.20", "(1.05 to 1.40)"]);
        assert_eq!(pieces("65 (75.6) [281]"), ["65 (75.6)", "[281]"]);
        assert_eq!(pieces("any adverse event"), ["any adverse event"]);
    }
}
