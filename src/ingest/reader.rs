//! The one reader of trial CSV files: a single strict pass over the file that checks every row
//! and keeps the columns asked for as interned text.
//!
//! # What is accepted
//! * Delimiter: comma, semicolon or tab, the most frequent of them in the header line.
//! * Encoding: UTF-8, with or without a byte-order mark; UTF-16 (LE or BE) with a byte-order mark
//!   is decoded. Invalid UTF-8 anywhere is an error naming its line and column. A file with NUL
//!   bytes and no byte-order mark (UTF-16 without BOM, a binary file) is refused.
//! * Line endings: LF, CRLF, or CR alone (classic Mac OS; detected from the header line).
//! * A header of any length; duplicate column names are an error.
//! * Quoting as RFC 4180: a quoted field may hold the delimiter, quotes (doubled) and line
//!   breaks; lines in messages are the file's own lines.
//! * Missing values: an empty cell, `NA`, `.` or `NaN` (`nan`, `NAN`). `NaN` is missing
//!   everywhere, as in pandas and polars: it never makes a numeric column text.
//!
//! # What is refused
//! A row whose number of fields differs from the header's (exit status 3): never read by
//! position, never padded. Up to [`MAX_PROBLEMS`] problems are collected in one pass and
//! reported together, with the count of the others.
//!
//! # Storage
//! Each text column kept is a vector of codes into a dictionary of its distinct texts, in order
//! of first appearance (code 0 = missing), in the narrowest integer that holds the dictionary
//! (one byte per row for arms, visits or sites). A cell is never an owned `String`; numbers are parsed
//! once per distinct text ([`Column::numbers`]).

use crate::error::{Error, Problem, Result};
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

/// The most problems listed in one error; the rest are counted.
pub const MAX_PROBLEMS: usize = 20;

/// Cell texts read as missing values.
pub const MISSING: [&str; 6] = ["", "NA", ".", "NaN", "nan", "NAN"];

/// Whether a cell's bytes are a missing value ([`MISSING`]).
#[inline]
pub fn is_missing(f: &[u8]) -> bool {
    match f.len() {
        0 => true,
        1 => f[0] == b'.',
        2 => f == b"NA",
        3 => f == b"NaN" || f == b"nan" || f == b"NAN",
        _ => false,
    }
}

/// How the file's bytes were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

/// A number read from a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Missing,
    Value(f64),
    /// Not a number at all.
    Invalid,
    /// `inf`, `Infinity`, or a number too large for a double (`1e400`).
    Infinite,
}

/// Parse a cell as a number: surrounding spaces allowed; [`MISSING`] texts are missing; infinite
/// values and overflow are [`Num::Infinite`] (underflow to 0 is a value).
pub fn parse_num(s: &str) -> Num {
    let t = s.trim();
    if is_missing(t.as_bytes()) {
        return Num::Missing;
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Num::Value(x),
        Ok(x) if x.is_nan() => Num::Missing,
        Ok(_) => Num::Infinite,
        Err(_) => Num::Invalid,
    }
}

/// The message for a number that could not be read.
pub fn num_problem(n: Num, s: &str) -> String {
    match n {
        Num::Infinite => "an infinite value or a number too large for a double (over 1.8e308); expected a finite number".into(),
        _ if s.contains(',') && s.trim().replace(',', ".").parse::<f64>().is_ok() => {
            "not a number: a decimal comma? write decimals with a point (2.5)".into()
        }
        _ => "not a number (missing values are written empty, NA, . or NaN)".into(),
    }
}

/// Interned texts of one column: an arena of the distinct texts and an open-addressing index.
#[derive(Debug, Default)]
struct Dict {
    text: String,
    /// End offset in `text` of entry `i` (entry 0 is the missing value, empty).
    ends: Vec<usize>,
    /// Slot → code + 1 (0 = empty slot).
    slots: Vec<u32>,
}

/// A multiply-mix hash of a cell (in the manner of wyhash/foldhash): short cells, the usual
/// case, are read as one or two overlapping words without a loop or a copy.
#[inline]
fn hash(b: &[u8]) -> u64 {
    const K0: u64 = 0xa076_1d64_78bd_642f;
    const K1: u64 = 0xe703_7ed1_a0b4_28db;
    let word = |s: &[u8]| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
    let half = |s: &[u8]| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
    let mix = |a: u64, b: u64| {
        let r = u128::from(a ^ K0).wrapping_mul(u128::from(b ^ K1));
        (r as u64) ^ ((r >> 64) as u64)
    };
    let n = b.len();
    let (lo, hi) = if n >= 8 {
        (word(&b[..8]), word(&b[n - 8..]))
    } else if n >= 4 {
        (half(&b[..4]), half(&b[n - 4..]))
    } else if n > 0 {
        (u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16, 0)
    } else {
        (0, 0)
    };
    let mut h = mix(lo, hi ^ n as u64);
    if n > 16 {
        for c in b[8..n - 8].chunks(8) {
            let w = if c.len() == 8 { word(c) } else { c.iter().fold(0u64, |acc, &x| acc << 8 | u64::from(x)) };
            h = mix(h, w);
        }
    }
    h
}

/// [`hash`] as a `std` hasher, for maps keyed by cells (`HashMap<&str, _, FastHash>`): much
/// faster than SipHash on short keys; not for keys an adversary chooses to collide, which a
/// trial file's identifiers are not meant to be (a collision costs time, never a wrong result).
#[derive(Debug, Clone, Copy, Default)]
pub struct FastHash;

/// The hasher of [`FastHash`].
#[derive(Debug, Default)]
pub struct FastHasher(u64);

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash(bytes) ^ self.0.rotate_left(5);
    }
}

impl Dict {
    fn new() -> Dict {
        Dict { text: String::new(), ends: vec![0], slots: vec![0; 64] }
    }

    fn entry(&self, code: u32) -> &str {
        let i = code as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The code of `cell` (its record's UTF-8 already checked), adding it if new.
    #[inline]
    fn intern(&mut self, cell: &[u8]) -> u32 {
        if is_missing(cell) {
            return 0;
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash(cell) as usize) & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                break;
            }
            if self.entry(s - 1).as_bytes() == cell {
                return s - 1;
            }
            i = (i + 1) & mask;
        }
        let code = self.ends.len() as u32;
        self.text.push_str(&String::from_utf8_lossy(cell));
        self.ends.push(self.text.len());
        self.slots[i] = code + 1;
        if self.ends.len() * 2 > self.slots.len() {
            self.grow();
        }
        code
    }

    fn grow(&mut self) {
        let n = self.slots.len() * 2;
        let mut slots = vec![0u32; n];
        for code in 1..self.ends.len() as u32 {
            let mut i = (hash(self.entry(code).as_bytes()) as usize) & (n - 1);
            while slots[i] != 0 {
                i = (i + 1) & (n - 1);
            }
            slots[i] = code + 1;
        }
        self.slots = slots;
    }
}

/// A column's codes in the narrowest integer that holds its dictionary: a column of arms,
/// visits or sites takes one byte per row, identifiers four.
#[derive(Debug)]
enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Codes {
    /// Codes stored as read: one byte each until a code needs more, then two, then four (the
    /// vector is widened once per step, so a column never holds wider codes than it needs).
    #[inline]
    fn push(&mut self, code: u32) {
        match self {
            Codes::U8(v) if code < 1 << 8 => v.push(code as u8),
            Codes::U16(v) if code < 1 << 16 => v.push(code as u16),
            Codes::U32(v) => v.push(code),
            _ => {
                self.widen(code);
                self.push(code);
            }
        }
    }

    /// Copy the codes into the next width that holds `code`, keeping the capacity reserved.
    #[cold]
    fn widen(&mut self, code: u32) {
        fn to<T, U: Copy>(v: &[U], cap: usize, f: impl Fn(U) -> T) -> Vec<T> {
            let mut w = Vec::with_capacity(cap.max(v.len() + 1));
            w.extend(v.iter().map(|&c| f(c)));
            w
        }
        *self = match &*self {
            Codes::U8(v) if code < 1 << 16 => Codes::U16(to(v, v.capacity(), u16::from)),
            Codes::U8(v) => Codes::U32(to(v, v.capacity(), u32::from)),
            Codes::U16(v) => Codes::U32(to(v, v.capacity(), u32::from)),
            Codes::U32(_) => return,
        };
    }

    /// Reserve room for `n` more codes if the system grants it (else the vector grows as it
    /// goes): a hint, never a reason to fail.
    fn reserve(&mut self, n: usize) {
        let _ = match self {
            Codes::U8(v) => v.try_reserve(n),
            Codes::U16(v) => v.try_reserve(n),
            Codes::U32(v) => v.try_reserve(n),
        };
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Codes::U8(v) => v.shrink_to_fit(),
            Codes::U16(v) => v.shrink_to_fit(),
            Codes::U32(v) => v.shrink_to_fit(),
        }
    }

    #[inline]
    fn get(&self, row: usize) -> u32 {
        match self {
            Codes::U8(v) => u32::from(v[row]),
            Codes::U16(v) => u32::from(v[row]),
            Codes::U32(v) => v[row],
        }
    }
}

/// One column kept by the reader.
#[derive(Debug)]
pub struct Column {
    codes: Codes,
    dict: Dict,
    numbers: OnceLock<Vec<Num>>,
}

impl Column {
    /// The cell of `row`; `None` = missing.
    #[inline]
    pub fn text(&self, row: usize) -> Option<&str> {
        match self.codes.get(row) {
            0 => None,
            c => Some(self.dict.entry(c)),
        }
    }

    /// The code of `row`'s cell (0 = missing); equal codes are equal texts.
    #[inline]
    pub fn code(&self, row: usize) -> u32 {
        self.codes.get(row)
    }

    /// Number of codes, the missing code 0 included.
    pub fn distinct(&self) -> usize {
        self.dict.len()
    }

    /// The text of a code (`""` for 0).
    pub fn entry(&self, code: u32) -> &str {
        self.dict.entry(code)
    }


    /// Each code's text read as a number (parsed once per distinct text).
    pub fn numbers(&self) -> &[Num] {
        self.numbers.get_or_init(|| (0..self.dict.len() as u32).map(|c| if c == 0 { Num::Missing } else { parse_num(self.dict.entry(c)) }).collect())
    }

    /// `row`'s number.
    #[inline]
    pub fn number(&self, row: usize) -> Num {
        self.numbers()[self.codes.get(row) as usize]
    }
}

/// A column kept as numbers, parsed as it is read (no dictionary of its texts).
#[derive(Debug, Default)]
pub struct NumColumn {
    /// The value of each row; NaN where the cell is missing or not a finite number.
    values: Vec<f64>,
    /// Rows whose cell is not a finite number, in row order: (row, what, the cell as written).
    odd: Vec<(usize, Num, Box<str>)>,
}

impl NumColumn {
    #[inline]
    fn push(&mut self, cell: &[u8]) {
        let row = self.values.len();
        if is_missing(cell) {
            self.values.push(f64::NAN);
            return;
        }
        let text = String::from_utf8_lossy(cell);
        match parse_num(&text) {
            Num::Value(x) => self.values.push(x),
            Num::Missing => self.values.push(f64::NAN),
            n => {
                self.values.push(f64::NAN);
                self.odd.push((row, n, text.into()));
            }
        }
    }

    fn get(&self, row: usize) -> (Num, &str) {
        let x = self.values[row];
        if !x.is_nan() {
            return (Num::Value(x), "");
        }
        match self.odd.binary_search_by_key(&row, |o| o.0) {
            Ok(i) => (self.odd[i].1, &self.odd[i].2),
            Err(_) => (Num::Missing, ""),
        }
    }
}

/// A column's cells as numbers: read as numbers, or parsed from a text column's dictionary.
#[derive(Debug, Clone, Copy)]
pub enum Numbers<'t> {
    Direct(&'t NumColumn),
    Text(&'t Column),
}

impl Numbers<'_> {
    /// `row`'s number, and the cell as written when it is not a finite number.
    #[inline]
    pub fn get(&self, row: usize) -> (Num, &str) {
        match self {
            Numbers::Direct(c) => c.get(row),
            Numbers::Text(c) => match c.number(row) {
                Num::Value(x) => (Num::Value(x), ""),
                n => (n, c.text(row).unwrap_or_default()),
            },
        }
    }
}

/// File lines of rows: `line(row) = line of the last mark at or before row + (row − its row)`.
#[derive(Debug, Default)]
struct Lines {
    marks: Vec<(usize, u64)>,
}

impl Lines {
    fn line(&self, row: usize) -> u64 {
        let i = self.marks.partition_point(|&(r, _)| r <= row);
        match i {
            0 => row as u64 + 2,
            _ => {
                let (r, l) = self.marks[i - 1];
                l + (row - r) as u64
            }
        }
    }
}

/// A file read by [`read`]: its header and the columns kept.
#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub separator: u8,
    pub encoding: Encoding,
    pub columns: Vec<String>,
    pub rows: usize,
    data: Vec<Option<Column>>,
    nums: Vec<Option<NumColumn>>,
    keys: Vec<Option<Vec<u64>>>,
    lines: Lines,
}

impl Table {
    /// Column `name` as numbers: read as numbers, or parsed from its text (if kept as text).
    pub fn numbers(&self, name: &str) -> Option<Numbers<'_>> {
        let i = self.columns.iter().position(|c| c == name)?;
        match (&self.nums[i], &self.data[i]) {
            (Some(n), _) => Some(Numbers::Direct(n)),
            (None, Some(c)) => Some(Numbers::Text(c)),
            _ => None,
        }
    }

    /// Column `name` as keys ([`cell_key`] of each row's cell), if it was kept as keys only.
    pub fn keys(&self, name: &str) -> Option<&[u64]> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.keys[i].as_deref()
    }

    /// Names of the columns kept as keys only.
    pub fn kept_keys(&self) -> Vec<String> {
        self.columns.iter().zip(&self.keys).filter(|(_, d)| d.is_some()).map(|(c, _)| c.clone()).collect()
    }

    /// Names of the columns kept as numbers only.
    pub fn kept_numbers(&self) -> Vec<String> {
        self.columns.iter().zip(&self.nums).filter(|(_, d)| d.is_some()).map(|(c, _)| c.clone()).collect()
    }

    /// The kept column `name`, if it was asked for.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.data[i].as_ref()
    }

    /// Whether column `name` was kept.
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// The file line of a row (the header is line 1).
    pub fn line(&self, row: usize) -> u64 {
        self.lines.line(row)
    }

    /// Names of the kept columns.
    pub fn kept(&self) -> Vec<String> {
        self.columns.iter().zip(&self.data).filter(|(_, d)| d.is_some()).map(|(c, _)| c.clone()).collect()
    }
}

/// The header of a file, read without reading the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub separator: u8,
    pub encoding: Encoding,
    pub columns: Vec<String>,
}

/// What to keep: columns as text (interned), columns as numbers (parsed as read), and key
/// columns as 64-bit hashes of their cells (a subject ID, to find repeats without a dictionary
/// of a million IDs). A column in text and another list is kept as text (its numbers are parsed
/// from its dictionary; its keys are its codes).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keep {
    pub text: Vec<String>,
    pub numbers: Vec<String>,
    pub keys: Vec<String>,
}

impl Keep {
    /// These columns as text.
    pub fn text(columns: &[String]) -> Keep {
        Keep { text: columns.to_vec(), ..Keep::default() }
    }
}

/// The key of a cell: the standard library's SipHash of its bytes (64 bits: two of a million
/// distinct IDs share a key with probability about 3e-8, and a shared key is only ever a
/// reason to look at the text); 0 for a missing cell (a cell hashing to 0 gets 1).
pub fn cell_key(cell: &[u8]) -> u64 {
    use std::hash::Hasher;
    if is_missing(cell) {
        return 0;
    }
    // `new()` has fixed keys: the same key for the same bytes within a run (keys are never
    // stored or compared across runs).
    let mut h = std::hash::DefaultHasher::new();
    h.write(cell);
    h.finish().max(1)
}

fn file_err(name: &str, message: impl Into<String>) -> Error {
    Error::File { file: name.to_string(), message: message.into() }
}

/// Open `path` as a regular file (devices, FIFOs and folders are refused: they may never end).
fn open_regular(path: &Path, name: &str) -> Result<std::fs::File> {
    let f = std::fs::File::open(path).map_err(|e| file_err(name, format!("cannot read: {e}")))?;
    let meta = f.metadata().map_err(|e| file_err(name, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(file_err(name, "is a folder, not a CSV file"));
    }
    if !meta.is_file() {
        return Err(file_err(name, "is not a regular file (a device or a pipe); save the data to a file first"));
    }
    Ok(f)
}

/// The bytes to parse: a UTF-8 stream (BOM removed, UTF-16 decoded, CR line ends made LF).
struct Source {
    reader: Box<dyn Read>,
    encoding: Encoding,
    /// The header line's bytes (without its line end), for sniffing the delimiter.
    header: Vec<u8>,
}

/// A reader that turns every CR into LF (files whose lines end in CR alone).
struct CrToLf<R: Read>(R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

fn decode_utf16(bytes: &[u8], little: bool, name: &str) -> Result<Vec<u8>> {
    if bytes.len() % 2 != 0 {
        return Err(file_err(name, "UTF-16 file with an odd number of bytes: truncated? save it as UTF-8"));
    }
    let units = bytes.chunks_exact(2).map(|c| if little { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) });
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, ch) in char::decode_utf16(units).enumerate() {
        match ch {
            Ok(c) => out.push(c),
            Err(_) => return Err(file_err(name, format!("invalid UTF-16 at byte {}; save the file as UTF-8", 2 * i + 2))),
        }
    }
    Ok(out.into_bytes())
}

/// Open the file and prepare its bytes (see the module doc).
fn source(path: &Path, name: &str) -> Result<Source> {
    let mut f = open_regular(path, name)?;
    let io = |e: std::io::Error| file_err(name, format!("cannot read: {e}"));
    // The start of the file up to the end of its header line (any length).
    let mut head = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut chunk).map_err(io)?;
        head.extend_from_slice(&chunk[..n]);
        if n == 0 || head.iter().any(|&b| b == b'\n' || b == b'\r') {
            break;
        }
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let little = head[0] == 0xFF;
        f.read_to_end(&mut head).map_err(io)?;
        let text = decode_utf16(&head[2..], little, name)?;
        let head_end = text.iter().position(|&b| b == b'\n').map_or(text.len(), |e| e + 1);
        let start = text[..head_end].to_vec();
        return finish(Box::new(std::io::Cursor::new(text)), &start, if little { Encoding::Utf16Le } else { Encoding::Utf16Be }, name);
    }
    let (encoding, skip) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { (Encoding::Utf8Bom, 3) } else { (Encoding::Utf8, 0) };
    if head.contains(&0) {
        return Err(file_err(
            name,
            "contains NUL bytes: not a text CSV file (UTF-16 without a byte-order mark, or a binary file such as .xlsx or .sas7bdat); save it as CSV in UTF-8",
        ));
    }
    let start = head[skip..].to_vec();
    let rest: Box<dyn Read> = Box::new(std::io::Cursor::new(start.clone()).chain(f));
    finish(rest, &start, encoding, name)
}

/// Detect CR-only line ends from the header line and keep the header's bytes for sniffing.
fn finish(reader: Box<dyn Read>, start: &[u8], encoding: Encoding, name: &str) -> Result<Source> {
    let end = start.iter().position(|&b| b == b'\n' || b == b'\r');
    let header = start[..end.unwrap_or(start.len())].to_vec();
    if header.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(file_err(name, "empty file: no header line"));
    }
    let cr_only = end.is_some_and(|e| start[e] == b'\r' && start.get(e + 1).is_some_and(|&b| b != b'\n'));
    let reader: Box<dyn Read> = if cr_only { Box::new(CrToLf(reader)) } else { reader };
    Ok(Source { reader, encoding, header })
}

/// The most frequent of comma, semicolon and tab outside quotes (comma when none occurs).
pub fn sniff(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let mut best = (0, b',');
    for (n, d) in counts.into_iter().zip([b',', b';', b'\t']) {
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

/// Records of a CSV byte stream (csv-core's parser, our buffers), each with the file line it
/// starts on: blank lines and line breaks inside quotes are counted, so lines in messages are
/// the file's own.
struct Records {
    src: Box<dyn Read>,
    parser: csv_core::Reader,
    input: Vec<u8>,
    at: usize,
    filled: usize,
    eof: bool,
    /// Line breaks and bytes consumed so far.
    newlines: u64,
    consumed: u64,
    /// Fields of the current record: bytes and end offsets.
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nends: usize,
    /// The current record: its first line, its quote characters (odd = a quote not closed).
    line: u64,
    started: bool,
    quotes: u64,
}

impl Records {
    fn new(src: Box<dyn Read>, sep: u8) -> Records {
        Records {
            src,
            parser: csv_core::ReaderBuilder::new().delimiter(sep).build(),
            input: vec![0; 1 << 20],
            at: 0,
            filled: 0,
            eof: false,
            newlines: 0,
            consumed: 0,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            nout: 0,
            nends: 0,
            line: 0,
            started: false,
            quotes: 0,
        }
    }

    /// Count lines and quotes in the bytes the parser consumed; note where the record starts
    /// (after any blank lines before it).
    fn consumed(&mut self, from: usize, to: usize) {
        let mut s = &self.input[from..to];
        if !self.started {
            let skip = s.iter().position(|&b| b != b'\n' && b != b'\r').unwrap_or(s.len());
            self.newlines += s[..skip].iter().filter(|&&b| b == b'\n').count() as u64;
            s = &s[skip..];
            if !s.is_empty() {
                self.started = true;
                self.line = self.newlines + 1;
            }
        }
        for i in memchr::memchr2_iter(b'\n', b'"', s) {
            if s[i] == b'\n' {
                self.newlines += 1;
            } else {
                self.quotes += 1;
            }
        }
    }

    /// The next record, or `None` at the end of the file.
    fn next(&mut self) -> std::io::Result<Option<()>> {
        use csv_core::ReadRecordResult as R;
        self.nout = 0;
        self.nends = 0;
        self.started = false;
        self.quotes = 0;
        loop {
            if self.at == self.filled && !self.eof {
                self.at = 0;
                self.filled = 0;
                loop {
                    match self.src.read(&mut self.input) {
                        Ok(n) => {
                            self.filled = n;
                            self.eof = n == 0;
                            break;
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            let (res, nin, nout, nend) = self.parser.read_record(&self.input[self.at..self.filled], &mut self.out[self.nout..], &mut self.ends[self.nends..]);
            self.consumed(self.at, self.at + nin);
            self.consumed += nin as u64;
            self.at += nin;
            self.nout += nout;
            self.nends += nend;
            match res {
                R::InputEmpty => {}
                R::OutputFull => self.out.resize(self.out.len() * 2, 0),
                R::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                R::Record => return Ok(Some(())),
                R::End => return Ok(None),
            }
        }
    }

    fn len(&self) -> usize {
        self.nends
    }

    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.out[start..self.ends[i]]
    }

    /// All fields' bytes, concatenated.
    fn bytes(&self) -> &[u8] {
        &self.out[..self.nout]
    }

    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.nends).map(|i| self.field(i))
    }

    /// The record as written (fields joined by the delimiter), for messages.
    fn shown(&self, sep: u8) -> String {
        let parts: Vec<String> = self.fields().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        parts.join(&(sep as char).to_string())
    }
}

/// Where invalid UTF-8 is in a record: (field index, byte value).
fn bad_utf8(rec: &Records) -> Option<(usize, u8)> {
    let e = std::str::from_utf8(rec.bytes()).err()?;
    let at = e.valid_up_to();
    let field = (0..rec.len()).find(|&i| rec.ends[i] > at).unwrap_or(0);
    Some((field, rec.bytes()[at]))
}

/// The header: column names (trimmed), each once.
fn header_columns(rec: &Records, name: &str) -> Result<Vec<String>> {
    if let Some((i, b)) = bad_utf8(rec) {
        return Err(file_err(name, format!("line 1 (header), field {}: invalid UTF-8 (byte 0x{b:02X}); the file may be Latin-1 or Windows-1252: save it as UTF-8", i + 1)));
    }
    let columns: Vec<String> = rec.fields().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    if let Some(dup) = columns.iter().enumerate().find_map(|(i, c)| columns[..i].contains(c).then_some(c)) {
        return Err(file_err(name, format!("column '{}' appears twice in the header", crate::fmt::quote_value(dup))));
    }
    Ok(columns)
}

/// Open `path` and read its header record.
fn open_records(path: &Path, name: &str) -> Result<(Records, u8, Encoding, Vec<String>)> {
    let src = source(path, name)?;
    let sep = sniff(&src.header);
    let mut rec = Records::new(src.reader, sep);
    if rec.next().map_err(|e| file_err(name, format!("cannot read: {e}")))?.is_none() {
        return Err(file_err(name, "empty file: no header line"));
    }
    let columns = header_columns(&rec, name)?;
    Ok((rec, sep, src.encoding, columns))
}

/// Read only the header of `path`.
pub fn read_header(path: &Path, name: &str) -> Result<Header> {
    let (_, separator, encoding, columns) = open_records(path, name)?;
    Ok(Header { separator, encoding, columns })
}

/// Why a row may have the wrong number of fields.
fn width_cause(rec: &Records, width: usize, sep: u8, lines: u64) -> String {
    let sep_name = match sep {
        b'\t' => "tab".to_string(),
        b => format!("'{}'", b as char),
    };
    if lines > 1 {
        return format!("the row runs over {lines} lines: a quote that is not closed?");
    }
    let others: Vec<&str> = [(b',', "','"), (b';', "';'"), (b'\t', "tab")]
        .iter()
        .filter(|(d, _)| *d != sep && rec.fields().any(|f| f.contains(d)))
        .map(|(_, n)| *n)
        .collect();
    if rec.len() < width && !others.is_empty() {
        return format!("the header is delimited by {sep_name} but this row seems to use {}", others.join(" or "));
    }
    if rec.len() > width {
        let decimal = rec.fields().zip(rec.fields().skip(1)).any(|(a, b)| {
            !a.is_empty() && !b.is_empty() && a.iter().all(u8::is_ascii_digit) && b.iter().all(u8::is_ascii_digit)
        });
        if sep == b',' && decimal {
            return "a decimal comma (e.g. 10,1) or another value containing ',' that is not quoted; write decimals with a point or quote the value".into();
        }
        return format!("a value containing the delimiter {sep_name} that is not quoted; quote it");
    }
    "a missing field; write an empty cell for a missing value".into()
}

/// Read `path` once: check every row and keep the columns in `keep` (see the module doc).
/// Errors: unreadable or non-regular file, bad encoding of the header (Error::File, exit 2);
/// rows of the wrong width or invalid UTF-8 (Error::Problems, exit 3), all collected.
pub fn read(path: &Path, name: &str, keep: &Keep) -> Result<Table> {
    let (mut rec, separator, encoding, columns) = open_records(path, name)?;
    let width = columns.len();
    let kept: Vec<usize> = (0..width).filter(|&i| keep.text.contains(&columns[i])).collect();
    let kept_num: Vec<usize> = (0..width).filter(|&i| keep.numbers.contains(&columns[i]) && !keep.text.contains(&columns[i])).collect();
    let kept_key: Vec<usize> = (0..width).filter(|&i| keep.keys.contains(&columns[i]) && !keep.text.contains(&columns[i]) && !kept_num.contains(&i)).collect();
    let fields: Vec<usize> = kept.iter().chain(&kept_num).chain(&kept_key).copied().collect();
    let (to_store, batches) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (recycle, used) = std::sync::mpsc::channel::<Batch>();
    // Two threads: this one parses and checks rows; the other stores the cells kept.
    let (scan, store) = std::thread::scope(|scope| {
        let n_text = kept.len();
        let n_num = kept_num.len();
        let n_key = kept_key.len();
        let storer = scope.spawn(move || store_batches(batches, recycle, n_text, n_num, n_key));
        let size = std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len());
        let scan = scan_rows(&mut rec, name, &columns, separator, &fields, size, to_store, used);
        (scan, storer.join())
    });
    let (rows, lines) = scan?;
    let (dicts, codes, nums, keys) = match store {
        Ok(s) => s,
        Err(p) => std::panic::resume_unwind(p),
    };
    // The vectors grew by doubling: give back what the last doubling reserved but did not use.
    let mut data: Vec<Option<Column>> = (0..width).map(|_| None).collect();
    for ((i, mut codes), d) in kept.into_iter().zip(codes).zip(dicts) {
        codes.shrink_to_fit();
        data[i] = Some(Column { codes, dict: d, numbers: OnceLock::new() });
    }
    let mut num_data: Vec<Option<NumColumn>> = (0..width).map(|_| None).collect();
    for (i, mut n) in kept_num.into_iter().zip(nums) {
        n.values.shrink_to_fit();
        num_data[i] = Some(n);
    }
    let mut key_data: Vec<Option<Vec<u64>>> = (0..width).map(|_| None).collect();
    for (i, mut k) in kept_key.into_iter().zip(keys) {
        k.shrink_to_fit();
        key_data[i] = Some(k);
    }
    Ok(Table { name: name.to_string(), separator, encoding, columns, rows, data, nums: num_data, keys: key_data, lines })
}

/// Rows of kept cells passed from the scanning thread to the storing one.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// End offset in `bytes` of each cell, row after row.
    ends: Vec<usize>,
    /// With the first batch: the number of rows the file likely holds (from its size).
    rows_hint: Option<usize>,
}

const BATCH_ROWS: usize = 1 << 14;

/// Parse and check every row (see the module doc), sending the kept cells of good rows on;
/// the number of rows and their lines, or every problem found.
fn scan_rows(
    rec: &mut Records,
    name: &str,
    columns: &[String],
    separator: u8,
    fields: &[usize],
    size: Option<u64>,
    to_store: std::sync::mpsc::SyncSender<Batch>,
    used: std::sync::mpsc::Receiver<Batch>,
) -> Result<(usize, Lines)> {
    let width = columns.len();
    let mut lines = Lines::default();
    let mut problems: Vec<Problem> = Vec::new();
    let mut more = 0u64;
    let mut rows = 0usize;
    let mut batch = Batch::default();
    let mut in_batch = 0;
    while rec.next().map_err(|e| file_err(name, format!("cannot read: {e}")))?.is_some() {
        let line = rec.line;
        if line != lines.line(rows) {
            lines.marks.push((rows, line));
        }
        rows += 1;
        // Lines the record runs over (line breaks inside quoted fields), counted only when needed.
        let spans = |rec: &Records| 1 + memchr::memchr_iter(b'\n', rec.bytes()).count() as u64;
        let problem = if rec.len() != width {
            let message = format!("{} fields but the header has {width}; likely cause: {}", rec.len(), width_cause(rec, width, separator, spans(rec)));
            Some(Problem { line, column: None, value: Some(rec.shown(separator)), message })
        } else if rec.quotes % 2 == 1 && spans(rec) > 1 {
            let message = format!("a quote that is not closed: the row runs over {} lines, to the end of the file", spans(rec));
            Some(Problem { line, column: None, value: Some(rec.shown(separator)), message })
        } else if let Some((i, b)) = bad_utf8(rec) {
            let shown = String::from_utf8_lossy(rec.field(i)).into_owned();
            let message = format!("invalid UTF-8 (byte 0x{b:02X}); the file may be Latin-1 or Windows-1252: save it as UTF-8");
            Some(Problem { line, column: Some(columns[i].clone()), value: Some(shown), message })
        } else {
            None
        };
        match problem {
            Some(p) if problems.len() < MAX_PROBLEMS => problems.push(p),
            Some(_) => more += 1,
            // Once a row is bad the file is not analysed: its cells are not stored.
            None if problems.is_empty() => {
                for &i in fields {
                    batch.bytes.extend_from_slice(rec.field(i));
                    batch.ends.push(batch.bytes.len());
                }
                in_batch += 1;
                if in_batch == BATCH_ROWS {
                    if rows == BATCH_ROWS {
                        batch.rows_hint = size.map(|size| rows_in(size, rows, rec.consumed));
                    }
                    let next = used.try_recv().unwrap_or_default();
                    // The storing thread ends only by a panic; it is reported when joined.
                    let _ = to_store.send(std::mem::replace(&mut batch, next));
                    in_batch = 0;
                }
            }
            None => {}
        }
    }
    if !problems.is_empty() {
        return Err(Error::Problems { file: name.to_string(), problems, more });
    }
    let _ = to_store.send(batch);
    Ok((rows, lines))
}

/// The rows a file of `size` bytes likely holds when its first `rows` rows took `consumed`
/// bytes (with 5 % to spare).
fn rows_in(size: u64, rows: usize, consumed: u64) -> usize {
    let per_row = consumed.max(1) as f64 / rows as f64;
    (size as f64 / per_row * 1.05) as usize + 1024
}

type Stored = (Vec<Dict>, Vec<Codes>, Vec<NumColumn>, Vec<Vec<u64>>);

/// Intern the text cells, parse the numeric ones and hash the key ones of every batch (rows of
/// `n_text` text cells, `n_num` numeric cells, `n_key` key cells), handing each emptied batch
/// back for reuse.
fn store_batches(batches: std::sync::mpsc::Receiver<Batch>, recycle: std::sync::mpsc::Sender<Batch>, n_text: usize, n_num: usize, n_key: usize) -> Stored {
    let mut dicts: Vec<Dict> = (0..n_text).map(|_| Dict::new()).collect();
    let mut codes: Vec<Codes> = (0..n_text).map(|_| Codes::U8(Vec::new())).collect();
    let mut last: Vec<Option<u32>> = vec![None; n_text];
    let mut nums: Vec<NumColumn> = (0..n_num).map(|_| NumColumn::default()).collect();
    let mut keys: Vec<Vec<u64>> = (0..n_key).map(|_| Vec::new()).collect();
    let per_row = n_text + n_num + n_key;
    for mut batch in batches {
        // The rows the whole file likely holds, told with the first batch: reserved at once, so
        // the columns are not copied as they grow (pages reserved but not written take no memory).
        if let Some(rows) = batch.rows_hint.take() {
            codes.iter_mut().for_each(|c| c.reserve(rows));
            nums.iter_mut().for_each(|n| {
                let _ = n.values.try_reserve(rows);
            });
            keys.iter_mut().for_each(|k| {
                let _ = k.try_reserve(rows);
            });
        }
        let mut start = 0;
        for (j, &end) in batch.ends.iter().enumerate() {
            let cell = &batch.bytes[start..end];
            start = end;
            let k = j % per_row;
            if k < n_text {
                // Consecutive rows often repeat a cell (a subject's records): reuse its code.
                let code = match last[k] {
                    Some(c) if dicts[k].entry(c).as_bytes() == cell => c,
                    _ => dicts[k].intern(cell),
                };
                last[k] = Some(code);
                codes[k].push(code);
            } else if k < n_text + n_num {
                nums[k - n_text].push(cell);
            } else {
                keys[k - n_text - n_num].push(cell_key(cell));
            }
        }
        batch.bytes.clear();
        batch.ends.clear();
        let _ = recycle.send(batch);
    }
    (dicts, codes, nums, keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("trialstat-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn all(p: &Path) -> Result<Table> {
        let h = read_header(p, "f.csv")?;
        read(p, "f.csv", &Keep::text(&h.columns))
    }

    #[test]
    fn interns_and_maps_lines() {
        let p = write("a.csv", b"id,arm,v\n1,A,2.5\n2,B,NA\n\n3,\"A\",\"x\ny\"\n4,A,NaN\n");
        let t = all(&p).unwrap();
        assert_eq!(t.rows, 4);
        let arm = t.column("arm").unwrap();
        assert_eq!((arm.code(0), arm.code(1), arm.code(2)), (1, 2, 1));
        assert_eq!(t.column("v").unwrap().text(1), None);
        assert_eq!(t.column("v").unwrap().text(2), Some("x\ny"));
        assert_eq!(t.column("v").unwrap().number(3), Num::Missing);
        assert_eq!((t.line(0), t.line(1), t.line(2), t.line(3)), (2, 3, 5, 7));
    }

    #[test]
    fn key_columns_hold_equal_keys_for_equal_cells() {
        let p = write("k.csv", b"id,arm\nS-1,A\nS-2,B\n,A\nS-1,B\n\"S-2\",A\n");
        let t = read(&p, "k.csv", &Keep { text: vec!["arm".into()], keys: vec!["id".into()], ..Keep::default() }).unwrap();
        let k = t.keys("id").unwrap();
        assert_eq!(k.len(), 5);
        assert!(t.column("id").is_none(), "kept as keys only");
        assert_eq!((k[0] == k[3], k[1] == k[4], k[0] == k[1], k[2]), (true, true, false, 0));
        assert_eq!(t.kept_keys(), vec!["id".to_string()]);
    }

    #[test]
    fn many_distinct_values_grow_the_index() {
        let mut s = String::from("id\n");
        for i in 0..5000 {
            s.push_str(&format!("{}\n", i % 1234));
        }
        let t = all(&write("g.csv", s.as_bytes())).unwrap();
        let c = t.column("id").unwrap();
        assert_eq!(c.distinct(), 1235);
        assert_eq!(c.text(1234 + 7), Some("7"));
        assert_eq!(c.code(1234 + 7), c.code(7));
    }

    /// Codes are stored one byte wide until a code needs two, then four; the rows stored before
    /// each widening still read back, and numbers are kept exactly, past the first batch (after
    /// which the columns are reserved from the file's size).
    #[test]
    fn codes_widen_as_the_dictionary_grows() {
        let mut s = String::from("id,arm,v\n");
        let n = 70_000;
        for i in 0..n {
            s.push_str(&format!("s{i},{},{}.25\n", ["a", "b"][i % 2], i));
        }
        let keep = Keep { text: vec!["id".into(), "arm".into()], numbers: vec!["v".into()], keys: Vec::new() };
        let t = read(&write("wide-codes.csv", s.as_bytes()), "wide-codes.csv", &keep).unwrap();
        assert_eq!(t.rows, n);
        assert_eq!(t.kept_numbers(), vec!["v".to_string()]);
        let (id, arm) = (t.column("id").unwrap(), t.column("arm").unwrap());
        assert!(matches!(id.codes, Codes::U32(_)) && matches!(arm.codes, Codes::U8(_)), "{:?}", (id.distinct(), arm.distinct()));
        for r in [0, 254, 255, 256, 65_534, 65_535, 65_536, n - 1] {
            assert_eq!(id.text(r), Some(format!("s{r}").as_str()), "row {r}");
            assert_eq!(arm.text(r), Some(["a", "b"][r % 2]));
            assert_eq!(t.numbers("v").unwrap().get(r).0, Num::Value(r as f64 + 0.25), "row {r}");
            assert_eq!(t.line(r), r as u64 + 2);
        }
        let mut mid = String::from("id\n");
        for i in 0..300 {
            mid.push_str(&format!("{i}\n"));
        }
        let t = all(&write("mid-codes.csv", mid.as_bytes())).unwrap();
        let c = t.column("id").unwrap();
        assert!(matches!(c.codes, Codes::U16(_)));
        assert_eq!((c.text(0), c.text(255), c.text(299)), (Some("0"), Some("255"), Some("299")));
    }

    #[test]
    fn wrong_width_rows_are_all_reported() {
        let p = write("w.csv", b"id,arm,v\n1,A,10,1\n2,B\n3,A;4;5\n4,A,1\n5,A,\"2\n6,B,3\n");
        let Err(Error::Problems { problems, more, .. }) = all(&p) else { panic!() };
        assert_eq!(more, 0);
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6]);
        assert!(problems[0].message.contains("decimal comma"), "{}", problems[0].message);
        assert!(problems[1].message.contains("missing field"), "{}", problems[1].message);
        assert!(problems[2].message.contains("seems to use ';'"), "{}", problems[2].message);
        assert!(problems[3].message.contains("quote that is not closed"), "{}", problems[3].message);
    }

    #[test]
    fn more_than_twenty_problems_are_counted() {
        let mut s = String::from("a,b\n");
        for _ in 0..25 {
            s.push_str("1,2,3\n");
        }
        let Err(Error::Problems { problems, more, .. }) = all(&write("m.csv", s.as_bytes())) else { panic!() };
        assert_eq!((problems.len(), more), (20, 5));
    }

    #[test]
    fn encodings_and_line_ends() {
        let t = all(&write("cr.csv", b"id;arm\r1;A\r2;B\r")).unwrap();
        assert_eq!((t.rows, t.separator, t.line(1)), (2, b';', 3));
        assert_eq!(t.column("arm").unwrap().text(1), Some("B"));
        let mut u16le = vec![0xFF, 0xFE];
        for u in "id\tarm\r\n1\tÄ\r\n".encode_utf16() {
            u16le.extend_from_slice(&u.to_le_bytes());
        }
        let t = all(&write("u16.csv", &u16le)).unwrap();
        assert_eq!((t.encoding, t.column("arm").unwrap().text(0)), (Encoding::Utf16Le, Some("Ä")));
        let t = all(&write("bom.csv", b"\xEF\xBB\xBFid,arm\r\n1,A\r\n")).unwrap();
        assert_eq!((t.encoding, t.columns[0].as_str()), (Encoding::Utf8Bom, "id"));
        let e = all(&write("nul.csv", b"i\0d\0\n\0")).unwrap_err().to_string();
        assert!(e.contains("NUL bytes"), "{e}");
        let Err(Error::Problems { problems, .. }) = all(&write("l1.csv", b"id,arm\n1,Caf\xE9\n")) else { panic!() };
        assert_eq!((problems[0].line, problems[0].column.as_deref()), (2, Some("arm")));
        assert!(problems[0].message.contains("Latin-1"));
    }

    #[test]
    fn long_header_and_refusals() {
        let names: Vec<String> = (0..20000).map(|i| format!("c{i}")).collect();
        let mut s = names.join(",");
        s.push('\n');
        s.push_str(&vec!["1"; 20000].join(","));
        s.push('\n');
        let t = read(&write("long.csv", s.as_bytes()), "long.csv", &Keep::text(&["c19999".to_string()])).unwrap();
        assert_eq!(t.columns.len(), 20000);
        assert_eq!(t.column("c19999").unwrap().text(0), Some("1"));
        assert!(t.column("c1").is_none());
        let e = all(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = all(&write("dup.csv", b"a,b,a\n")).unwrap_err().to_string();
        assert!(e.contains("'a' appears twice"), "{e}");
        let e = all(&write("empty.csv", b"")).unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
    }

    #[test]
    fn numeric_columns_are_parsed_as_read() {
        let p = write("n.csv", b"id,v\n1,2.5\n2,NA\n3,x\n4,1e999\n5,-3\n");
        let t = read(&p, "n.csv", &Keep { text: vec!["id".into()], numbers: vec!["v".into()], keys: Vec::new() }).unwrap();
        assert!(t.column("v").is_none());
        let v = t.numbers("v").unwrap();
        let got: Vec<(Num, &str)> = (0..5).map(|r| v.get(r)).collect();
        assert_eq!(got, vec![(Num::Value(2.5), ""), (Num::Missing, ""), (Num::Invalid, "x"), (Num::Infinite, "1e999"), (Num::Value(-3.0), "")]);
        // A text column gives the same numbers.
        let t = all(&p).unwrap();
        let w = t.numbers("v").unwrap();
        assert_eq!((0..5).map(|r| w.get(r)).collect::<Vec<_>>(), got);
    }

    #[test]
    fn encoding_error_paths() {
        let e = all(&write("odd16.csv", b"\xFF\xFEi\x00d\x00\n")).unwrap_err().to_string();
        assert!(e.contains("odd number of bytes"), "{e}");
        // A lone low surrogate (0xDC00) is not UTF-16.
        let e = all(&write("bad16.csv", b"\xFF\xFEi\x00\x00\xDC\n\x00")).unwrap_err().to_string();
        assert!(e.contains("f.csv: invalid UTF-16 at byte 4"), "{e}");
        let e = all(&write("hdr.csv", b"id,Caf\xE9\n1,2\n")).unwrap_err().to_string();
        assert!(e.contains("f.csv: line 1 (header), field 2: invalid UTF-8 (byte 0xE9)"), "{e}");
        let dir = std::env::temp_dir().join(format!("trialstat-reader-{}", std::process::id()));
        let e = all(&dir).unwrap_err().to_string();
        assert!(e.contains("is a folder, not a CSV file"), "{e}");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_num(" 2.5 "), Num::Value(2.5));
        assert_eq!(parse_num("1e-400"), Num::Value(0.0));
        assert_eq!(parse_num("1e400"), Num::Infinite);
        assert_eq!(parse_num("-inf"), Num::Infinite);
        assert_eq!(parse_num("NaN"), Num::Missing);
        assert_eq!(parse_num("abc"), Num::Invalid);
        assert!(num_problem(Num::Invalid, "2,5").contains("decimal comma"));
    }
}
