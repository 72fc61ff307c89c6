//! The bad-input corpus (tests/corpus, written by make_corpus.py): every file through every
//! trial-file command and `report`, each ending with the exit status and message expect.tsv
//! gives, nothing on stdout when it fails, never a panic or polars' own text.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn args(command: &str, file: &str, dir: &Path) -> Vec<String> {
    let v: Vec<&str> = match command {
        "describe" => vec!["describe", file],
        "responders" => vec!["responders", file, "--baseline", "b", "--followup", "f", "--reduction", "30%", "--control", "B"],
        "change" => vec!["change", file, "--baseline", "b", "--followup", "f", "--control", "B"],
        "ancova" => vec!["change", file, "--baseline", "b", "--followup", "f", "--control", "B", "--covariates", "age"],
        "incidence" => vec!["incidence", file, "--event", "e", "--time", "t", "--control", "B"],
        "ae" => vec!["ae", file, "--subjects", file, "--subject", "id", "--arm", "arm", "--ae-subject", "id", "--soc", "soc", "--term", "term", "--control", "B"],
        "report" => {
            let spec = dir.join("study.toml");
            let text = format!(
                "title = \"corpus\"\n[data.d]\nfile = {file:?}\nsubject = \"id\"\narm = \"arm\"\n\n\
                 [[analysis]]\nname = \"responders\"\nkind = \"responders\"\ndata = \"d\"\ntreatment = [\"A\"]\ncontrol = \"B\"\nbaseline = \"b\"\nfollowup = [\"f\"]\nreduction = \"30%\"\n\n\
                 [[analysis]]\nname = \"change\"\nkind = \"change\"\ndata = \"d\"\ntreatment = [\"A\"]\ncontrol = \"B\"\nbaseline = \"b\"\nfollowup = [\"f\"]\n"
            );
            std::fs::write(&spec, text).unwrap();
            return vec!["report".into(), spec.display().to_string(), "--out".into(), dir.join("out").display().to_string()];
        }
        other => panic!("unknown command {other}"),
    };
    v.into_iter().map(String::from).collect()
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(command: &str, file: &str, dir: &Path) -> Run {
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let out = Command::new(env!("CARGO_BIN_EXE_trialstat")).args(args(command, file, dir)).output().unwrap();
    Run { status: out.status.code(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

#[test]
fn every_corpus_file_ends_as_expected_in_every_command() {
    let dir = std::env::temp_dir().join(format!("trialstat-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let expect = std::fs::read_to_string(corpus().join("expect.tsv")).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in expect.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.splitn(4, '\t').collect();
        let (name, commands, status, fragment) = (f[0], f[1], f[2].parse::<i32>().unwrap(), f[3]);
        let file = corpus().join(name).display().to_string();
        for command in commands.split(',') {
            let r = run(command, &file, &dir);
            checked += 1;
            let mut why = Vec::new();
            if r.status != Some(status) {
                why.push(format!("exit {:?}, expected {status}", r.status));
            }
            if !r.stderr.contains(fragment) {
                why.push(format!("stderr lacks {fragment:?}"));
            }
            if status != 0 && !r.stdout.is_empty() {
                why.push("printed to stdout before failing".into());
            }
            if status != 0 && command == "report" && dir.join("out").exists() {
                why.push("left a report folder".into());
            }
            for bad in ["panicked", "polars", "row_offset", "chunk"] {
                if r.stderr.contains(bad) {
                    why.push(format!("stderr has {bad:?}"));
                }
            }
            if r.stderr.len() > 4000 {
                why.push(format!("stderr of {} bytes", r.stderr.len()));
            }
            if !why.is_empty() {
                failures.push(format!("{name} / {command}: {}\n    stderr: {}", why.join("; "), r.stderr.trim()));
            }
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(failures.is_empty(), "{} of {checked} runs wrong:\n{}", failures.len(), failures.join("\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn many_problems_are_listed_twenty_at_once_with_the_count_of_the_rest() {
    let dir = std::env::temp_dir().join(format!("trialstat-corpus-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let r = run("change", &corpus().join("many_problems.csv").display().to_string(), &dir);
    assert_eq!(r.status, Some(3));
    let listed = r.stderr.lines().filter(|l| l.contains(": column 'b' = 'bad")).count();
    assert_eq!(listed, 20, "{}", r.stderr);
    assert!(r.stderr.contains("many_problems.csv:14: column 'b' = 'bad0': not a number"), "{}", r.stderr);
    assert!(r.stderr.contains("... and 5 more"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_device_as_a_data_file_is_refused_at_once() {
    let dir = std::env::temp_dir().join(format!("trialstat-corpus-dev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for command in ["describe", "responders", "change", "incidence", "ae", "report"] {
        let r = run(command, "/dev/zero", &dir);
        assert_eq!(r.status, Some(2), "{command}: {}", r.stderr);
        assert!(r.stderr.contains("/dev/zero: is not a regular file"), "{command}: {}", r.stderr);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn merged_arm_variants_are_noted() {
    let dir = std::env::temp_dir().join(format!("trialstat-corpus-merge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = corpus().join("arm_variants.csv").display().to_string();
    let mut a = args("change", &file, &dir);
    a.push("--merge-arm-variants".into());
    let out = Command::new(env!("CARGO_BIN_EXE_trialstat")).args(&a).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Arm labels merged (--merge-arm-variants): 'B' (4 rows), 'B ' (1 row), 'b' (1 row) counted as 'B'"), "{stdout}");
    // Six subjects in B after merging: the same as the good file.
    let good = Command::new(env!("CARGO_BIN_EXE_trialstat")).args(args("change", &corpus().join("good.csv").display().to_string(), &dir)).output().unwrap();
    let table = |s: &str| s.lines().filter(|l| l.contains(" B ") || l.starts_with("  B")).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(table(&stdout), table(&String::from_utf8_lossy(&good.stdout)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn each_file_is_read_once_per_analysis() {
    use trialstat::analysis::change::{change_file, ChangeSpec};
    use trialstat::ingest::layout::Overrides;
    use trialstat::ingest::table::CsvFile;
    let f = CsvFile::open(&corpus().join("good.csv")).unwrap();
    let o = Overrides { subject: Some("id".into()), arm: Some("arm".into()), ..Default::default() };
    let spec = ChangeSpec {
        arms: trialstat::analysis::arms::ArmChoice { control: Some("B".into()), ..Default::default() },
        baseline: Some("b".into()),
        followup: vec!["f".into()],
        ..Default::default()
    };
    change_file(&f, &o, &spec).unwrap();
    assert_eq!(f.reads(), 1);
    // A second analysis of the same file (another filter on a column read) reuses the read.
    let g = f.clone().with_filter("b >= 10").unwrap();
    change_file(&g, &o, &spec).unwrap();
    assert_eq!(f.reads(), 1);
    // A column not read yet is read with the others, once (a report reads every column at once).
    let h = f.clone().with_filter("age >= 45").unwrap();
    change_file(&h, &o, &spec).unwrap();
    change_file(&h, &o, &spec).unwrap();
    assert_eq!(f.reads(), 2);
}

#[test]
fn nan_in_a_numeric_covariate_is_missing_not_a_factor() {
    let file = corpus().join("covariate_nan.csv").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_trialstat"))
        .args(["change", &file, "--baseline", "b", "--followup", "f", "--control", "B", "--covariates", "age", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ancova: Vec<&serde_json::Value> = j["results"].as_array().unwrap().iter().filter(|r| r["measure"] == "ancova-difference").collect();
    // 12 subjects, one with age NaN: 11 complete cases, and age enters as one numeric term.
    assert_eq!(ancova.len(), 1);
    assert_eq!(ancova[0]["n"], 11);
    let notes = j["notes"].to_string();
    assert!(notes.contains("f ~ arm + baseline, age (") && !notes.contains("age="), "{notes}");
}

#[test]
fn spec_labels_must_be_two() {
    let dir = std::env::temp_dir().join(format!("trialstat-corpus-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = corpus().join("good.csv").display().to_string();
    let spec = dir.join("study.toml");
    for (labels, fragment) in [
        ("[\"a\", \"b\", \"c\"]", "labels: 3 given; expected exactly two, [TREATMENT, CONTROL]"),
        ("[\"a\"]", "labels: 1 given; expected exactly two"),
    ] {
        std::fs::write(
            &spec,
            format!("title = \"t\"\n[data.d]\nfile = {file:?}\nsubject = \"id\"\narm = \"arm\"\n\n[[analysis]]\nname = \"c\"\nkind = \"change\"\ndata = \"d\"\ntreatment = [\"A\"]\ncontrol = \"B\"\nlabels = {labels}\nbaseline = \"b\"\nfollowup = [\"f\"]\n"),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_trialstat")).args(["report", spec.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]).output().unwrap();
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{e}");
        assert!(e.contains(&format!("study.toml:13: {fragment}")), "{e}");
        assert!(!dir.join("out").exists());
    }
    // Two labels with two treatment arms named: refused too (they would be ignored).
    std::fs::write(
        &spec,
        format!("title = \"t\"\n[data.d]\nfile = {file:?}\nsubject = \"id\"\narm = \"arm\"\n\n[[analysis]]\nname = \"c\"\nkind = \"change\"\ndata = \"d\"\nlabels = [\"a\", \"b\"]\nbaseline = \"b\"\nfollowup = [\"f\"]\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trialstat")).args(["report", spec.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]).output().unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("name one treatment"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
