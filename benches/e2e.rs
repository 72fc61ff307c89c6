//! End-to-end benchmark of the `trialstat` binary on generated trial files of realistic size.
//!
//! # What is measured
//! Wall time and peak memory (maximum resident set size) of whole `trialstat` processes, as a
//! user runs them: CSV scan with polars, the analysis and the rendered report (written to
//! /dev/null). Each command runs 3 times under `/usr/bin/time -f '%e %M'`; the table shows the
//! median wall time and the largest max-RSS of the 3 runs. The files are read from
//! `target/bench-data/`, so after the first run they are in the page cache: this measures
//! parsing and computing, not the disk.
//!
//! | command | input |
//! |---|---|
//! | `responders adsl_1m.csv --baseline VAS0 --followup VAS12 --reduction 40% --control Placebo` | 1,000,000 subjects |
//! | `responders adsl_1m.csv --flag RESPFL --control Placebo --where "SAFFL = 'Y'"` | 1,000,000 subjects |
//! | `ae adae_10m.csv --subjects adsl_1m.csv --teae` | 10,000,000 AE records + 1,000,000 subjects |
//! | `ae adae_10m.csv --subjects adsl_1m.csv --teae --strata SITEGR1 --rows soc` | 10,000,000 AE records + 1,000,000 subjects |
//! | `describe adae_10m.csv` | 10,000,000 AE records |
//!
//! # Data
//! Generated once, deterministically (seed [`SEED`], the crate's own [`Rng`], one stream per
//! file), into `target/bench-data/` (about 55 MB and 740 MB); a marker file
//! `target/bench-data/generated.txt` records the seed, row counts and file sizes, and generation is
//! skipped while it matches the files. Delete the folder to regenerate.
//! - `adsl_1m.csv`: 1,000,000 subjects: `USUBJID,TRT01A,SAFFL,SITEGR1,AGE,SEX,VAS0,VAS12,RESPFL`;
//!   arms Placebo / Low Dose / High Dose (uniform); SAFFL Y for 98 %; 50 sites; age 40–90; VAS0
//!   uniform 40.0–100.0; VAS12 = VAS0 × (arm mean 0.85 / 0.75 / 0.65 ± 0.3 uniform, clipped at 0),
//!   to 1 decimal, missing (empty) for 10 %; RESPFL Y when VAS12 ≤ 60 % of VAS0 (a ≥ 40 %
//!   reduction, the rule of the first command), N otherwise, empty when VAS12 is missing.
//! - `adae_10m.csv`: 10,000,000 AE records: `USUBJID,AEBODSYS,AEDECOD,AESEV,AESER,TRTEMFL`;
//!   subject uniform among the 1,000,000; 25 MedDRA system organ classes and 500 preferred terms
//!   (term `j` belongs to SOC `j mod 25`; term drawn from an exponential with mean 100, so
//!   frequencies are skewed); AESEV MILD/MODERATE/SEVERE (60/30/10 %); AESER Y for 2 %; TRTEMFL Y
//!   for 90 %, else empty.
//!
//! # How to run
//! ```text
//! cargo bench --bench e2e                      # builds the release binary, then runs (~5 min)
//! cargo build --profile dist                   # fat LTO, codegen-units = 1
//! TRIALSTAT_BIN=target/dist/trialstat cargo bench --bench e2e
//! ```
//! Cargo builds the `trialstat` binary (bench profile, which inherits `[profile.release]`) before
//! a bench target and passes its path as `CARGO_BIN_EXE_trialstat`; `TRIALSTAT_BIN` overrides it.
//! The Markdown table is printed and written to `target/bench-data/RESULTS.md` (for the release
//! profile; `RESULTS-<profile>.md` for another binary). Needs GNU time at `/usr/bin/time` (Debian
//! package `time`). A command that fails stops the bench with its exit status and stderr.
//! `benches/e2e_pandas.py` computes the same responder and TEAE counts with pandas or Python
//! polars for comparison.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use trialstat::stats::rng::Rng;

/// Seed of both generated files (stream 1: subjects, stream 2: adverse events).
const SEED: u64 = 20_250_601;
const SUBJECTS: u64 = 1_000_000;
const AE_RECORDS: u64 = 10_000_000;
const RUNS: usize = 3;
/// Bump when the generator changes, so that old files are regenerated.
const DATA_VERSION: u32 = 1;

const ARMS: [&str; 3] = ["Placebo", "Low Dose", "High Dose"];
/// Mean of VAS12 / VAS0 by arm (uniform ± 0.3 around it).
const ARM_FACTOR: [f64; 3] = [0.85, 0.75, 0.65];
const SITES: u64 = 50;
const TERMS: u64 = 500;
/// 25 MedDRA system organ classes; names with a comma are quoted in the file.
const SOCS: [&str; 25] = [
    "Blood and lymphatic system disorders",
    "Cardiac disorders",
    "Congenital, familial and genetic disorders",
    "Ear and labyrinth disorders",
    "Endocrine disorders",
    "Eye disorders",
    "Gastrointestinal disorders",
    "General disorders and administration site conditions",
    "Hepatobiliary disorders",
    "Immune system disorders",
    "Infections and infestations",
    "Injury, poisoning and procedural complications",
    "Investigations",
    "Metabolism and nutrition disorders",
    "Musculoskeletal and connective tissue disorders",
    "Nervous system disorders",
    "Psychiatric disorders",
    "Renal and urinary disorders",
    "Reproductive system and breast disorders",
    "Respiratory, thoracic and mediastinal disorders",
    "Skin and subcutaneous tissue disorders",
    "Surgical and medical procedures",
    "Vascular disorders",
    "Social circumstances",
    "Product issues",
];

fn main() {
    let bin = match std::env::var_os("TRIALSTAT_BIN") {
        Some(p) => fs::canonicalize(&p).unwrap_or_else(|e| fail(&format!("TRIALSTAT_BIN={}: {e}", Path::new(&p).display()))),
        None => PathBuf::from(env!("CARGO_BIN_EXE_trialstat")),
    };
    if !bin.is_file() {
        fail(&format!("no trialstat binary at {}", bin.display()));
    }
    if !Path::new("/usr/bin/time").is_file() {
        fail("GNU time is needed at /usr/bin/time (Debian: apt-get install time)");
    }
    // target/<profile>/trialstat: the profile and the target directory.
    let profile = bin.parent().and_then(Path::file_name).map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "?".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The target directory: Cargo's binary is <target>/<profile>/trialstat.
    let cargo_bin = Path::new(env!("CARGO_BIN_EXE_trialstat"));
    let target = cargo_bin.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_else(|| manifest.join("target"));
    let data = target.join("bench-data");
    fs::create_dir_all(&data).unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", data.display())));
    let adsl = data.join("adsl_1m.csv");
    let adae = data.join("adae_10m.csv");
    ensure_data(&data, &adsl, &adae);

    // Paths as printed: relative to the package when the data is under it.
    let shown = |p: &Path| p.strip_prefix(manifest).unwrap_or(p).display().to_string();
    let (adsl_s, adae_s) = (shown(&adsl), shown(&adae));
    let adsl_p = adsl.to_string_lossy().into_owned();
    let adae_p = adae.to_string_lossy().into_owned();
    let subj_rows = "1,000,000";
    let ae_rows = "10,000,000 AE + 1,000,000 subjects";
    #[rustfmt::skip]
    let commands: Vec<(Vec<String>, &str)> = vec![
        (args(&["responders", &adsl_p, "--baseline", "VAS0", "--followup", "VAS12", "--reduction", "40%", "--control", "Placebo"]), subj_rows),
        (args(&["responders", &adsl_p, "--flag", "RESPFL", "--control", "Placebo", "--where", "SAFFL = 'Y'"]), subj_rows),
        (args(&["ae", &adae_p, "--subjects", &adsl_p, "--teae"]), ae_rows),
        (args(&["ae", &adae_p, "--subjects", &adsl_p, "--teae", "--strata", "SITEGR1", "--rows", "soc"]), ae_rows),
        (args(&["describe", &adae_p]), "10,000,000"),
    ];

    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok()))
        .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "?".into());
    let version = Command::new(&bin).arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();

    let mut out = String::new();
    let _ = writeln!(out, "# trialstat end-to-end benchmark\n");
    let _ = writeln!(out, "- binary: `{}` ({version}), profile `{profile}`", shown(&bin));
    let _ = writeln!(out, "- machine: {nproc} CPUs (nproc), {cpu}, {mem} RAM");
    let _ = writeln!(out, "- each command run {RUNS} times, stdout to /dev/null; wall = median, max RSS = largest of the runs (GNU time `%e %M`)");
    let _ = writeln!(out, "- data: seed {SEED}, `{adsl_s}` ({}), `{adae_s}` ({})\n", size_mb(&adsl), size_mb(&adae));
    let _ = writeln!(out, "| command | rows | median wall (s) | runs (s) | max RSS (MiB) |");
    let _ = writeln!(out, "|---|---:|---:|---|---:|");
    print!("{out}");
    for (argv, rows) in &commands {
        let mut walls = Vec::with_capacity(RUNS);
        let mut rss_kib = 0u64;
        for _ in 0..RUNS {
            let (w, r) = timed(&bin, argv, &data);
            walls.push(w);
            rss_kib = rss_kib.max(r);
        }
        let mut sorted = walls.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[RUNS / 2];
        let shown_cmd = std::iter::once("trialstat".to_string())
            .chain(argv.iter().map(|a| {
                let a = a.replace(&adsl_p, &adsl_s).replace(&adae_p, &adae_s);
                if a.contains(' ') || a.contains('\'') {
                    format!("\"{a}\"")
                } else {
                    a
                }
            }))
            .collect::<Vec<_>>()
            .join(" ");
        let runs = walls.iter().map(|w| format!("{w:.2}")).collect::<Vec<_>>().join(", ");
        let line = format!("| `{shown_cmd}` | {rows} | {median:.2} | {runs} | {:.0} |\n", rss_kib as f64 / 1024.0);
        print!("{line}");
        let _ = std::io::stdout().flush();
        out.push_str(&line);
    }
    let results = data.join(if profile == "release" { "RESULTS.md".to_string() } else { format!("RESULTS-{profile}.md") });
    fs::write(&results, &out).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", results.display())));
    println!("\nwritten to {}", shown(&results));
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn size_mb(p: &Path) -> String {
    fs::metadata(p).map(|m| format!("{:.0} MB", m.len() as f64 / 1e6)).unwrap_or_default()
}

fn fail(msg: &str) -> ! {
    eprintln!("e2e bench: {msg}");
    std::process::exit(1);
}

/// Run `bin argv` under `/usr/bin/time -f '%e %M'`: wall seconds and max RSS in KiB. Stops the
/// bench, printing the command's stderr, when it exits with a non-zero status.
fn timed(bin: &Path, argv: &[String], data: &Path) -> (f64, u64) {
    let time_out = data.join(".time.txt");
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", "-o"])
        .arg(&time_out)
        .arg(bin)
        .args(argv)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run /usr/bin/time: {e}")));
    if !output.status.success() {
        fail(&format!(
            "`trialstat {}` failed ({}):\n{}",
            argv.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = fs::read_to_string(&time_out).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", time_out.display())));
    // The last line is ours ("Command exited with ..." or signal lines come before it).
    let last = text.lines().last().unwrap_or("");
    let mut it = last.split_whitespace();
    match (it.next().and_then(|w| w.parse::<f64>().ok()), it.next().and_then(|r| r.parse::<u64>().ok())) {
        (Some(w), Some(r)) => (w, r),
        _ => fail(&format!("cannot parse /usr/bin/time output {text:?}")),
    }
}

/// Generate the two files unless the marker says they are there already.
fn ensure_data(data: &Path, adsl: &Path, adae: &Path) {
    let marker = data.join("generated.txt");
    let expected = |a: u64, b: u64| format!("version {DATA_VERSION}\nseed {SEED}\nadsl_1m.csv {SUBJECTS} rows {a} bytes\nadae_10m.csv {AE_RECORDS} rows {b} bytes\n");
    let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    if let Ok(m) = fs::read_to_string(&marker) {
        if m == expected(size(adsl), size(adae)) {
            eprintln!("e2e bench: data present ({}), not regenerated", marker.display());
            return;
        }
    }
    let _ = fs::remove_file(&marker);
    let t = std::time::Instant::now();
    write_adsl(adsl).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", adsl.display())));
    write_adae(adae).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", adae.display())));
    fs::write(&marker, expected(size(adsl), size(adae))).unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", marker.display())));
    eprintln!("e2e bench: generated {} and {} in {:.1} s", adsl.display(), adae.display(), t.elapsed().as_secs_f64());
}

/// A value in tenths written with one decimal (`523` → `52.3`).
fn tenths(w: &mut impl Write, t: u64) -> std::io::Result<()> {
    write!(w, "{}.{}", t / 10, t % 10)
}

fn write_adsl(path: &Path) -> std::io::Result<()> {
    let mut rng = Rng::new(SEED, 1);
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "USUBJID,TRT01A,SAFFL,SITEGR1,AGE,SEX,VAS0,VAS12,RESPFL")?;
    for i in 1..=SUBJECTS {
        let arm = rng.below(3) as usize;
        let saffl = if rng.next_f64() < 0.98 { "Y" } else { "N" };
        let site = 1 + rng.below(SITES);
        let age = 40 + rng.below(51);
        let sex = if rng.below(2) == 0 { "M" } else { "F" };
        let vas0 = 400 + rng.below(601); // tenths: 40.0 to 100.0
        let factor = (ARM_FACTOR[arm] + 0.3 * (2.0 * rng.next_f64() - 1.0)).max(0.0);
        let missing = rng.next_f64() < 0.10;
        write!(w, "S-{i:07},{},{saffl},SITE{site:02},{age},{sex},", ARMS[arm])?;
        tenths(&mut w, vas0)?;
        if missing {
            w.write_all(b",,\n")?;
        } else {
            let vas12 = (vas0 as f64 * factor).round() as u64;
            w.write_all(b",")?;
            tenths(&mut w, vas12)?;
            // (VAS0 - VAS12) / VAS0 >= 0.4, exactly, in tenths.
            w.write_all(if 10 * vas12 <= 6 * vas0 { b",Y\n" } else { b",N\n" })?;
        }
    }
    w.flush()
}

fn write_adae(path: &Path) -> std::io::Result<()> {
    let mut rng = Rng::new(SEED, 2);
    let socs: Vec<String> = SOCS.iter().map(|s| if s.contains(',') { format!("\"{s}\"") } else { s.to_string() }).collect();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "USUBJID,AEBODSYS,AEDECOD,AESEV,AESER,TRTEMFL")?;
    for _ in 0..AE_RECORDS {
        let subject = 1 + rng.below(SUBJECTS);
        // Exponential with mean 100 (skewed term frequencies); the 0.7 % beyond 500 uniform.
        let mut term = (-(1.0 - rng.next_f64()).ln() * 100.0) as u64;
        if term >= TERMS {
            term = rng.below(TERMS);
        }
        let soc = (term % SOCS.len() as u64) as usize;
        let u = rng.next_f64();
        let sev = if u < 0.6 {
            "MILD"
        } else if u < 0.9 {
            "MODERATE"
        } else {
            "SEVERE"
        };
        let ser = if rng.next_f64() < 0.02 { "Y" } else { "N" };
        let teae = if rng.next_f64() < 0.90 { "Y" } else { "" };
        writeln!(w, "S-{subject:07},{},PT{:03} {},{sev},{ser},{teae}", socs[soc], term + 1, short(SOCS[soc]))?;
    }
    w.flush()
}

/// The first word of a SOC name, to make preferred terms read like `PT007 Gastrointestinal`.
fn short(soc: &str) -> &str {
    soc.split([' ', ',']).next().unwrap_or(soc)
}
