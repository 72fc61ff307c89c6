//! `describe` on the bundled real data against an independent Python computation
//! (tests/reference/ingest_describe.py, csv module, no polars), plus the reading edge cases:
//! delimiters, BOM, CRLF, missing-value spellings, and errors that name the file and column.

use crate::common::load;
use trialstat::ingest::layout::{Layout, Overrides};
use trialstat::ingest::table::{describe, CsvFile};

fn opt(v: &serde_json::Value) -> Option<String> {
    v.as_str().map(String::from)
}

#[test]
fn describe_matches_python_on_the_bundled_data() {
    let r = load("ingest_describe.json");
    // file → (subject, arm, visit, param) as the reference script names them.
    let roles = |f: &str| -> (&str, &str, Option<&str>, Option<&str>) {
        match f {
            "datasets/cdisc_pilot01/adsl.csv" => ("USUBJID", "TRT01A", None, None),
            "datasets/cdisc_pilot01/adae.csv" => ("USUBJID", "TRTA", None, None),
            "datasets/cdisc_pilot01/adqsadas_actot.csv" => ("USUBJID", "TRTP", Some("AVISIT"), Some("PARAMCD")),
            "datasets/acupuncture_headache/acupuncture_headache.csv" => ("id", "group", None, None),
            "datasets/epilepsy_progabide/epil.csv" => ("subject", "trt", Some("period"), None),
            "datasets/indo_rct/indo_rct.csv" => ("id", "rx", None, None),
            other => panic!("unexpected case {other}"),
        }
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for c in r["cases"].as_array().unwrap() {
        let file = c["file"].as_str().unwrap();
        let (subject, arm, visit, param) = roles(file);
        let f = CsvFile::open(&root.join(file)).unwrap();
        // Recognised without flags: the reference's roles are what detection picks.
        let d = describe(&f, &Overrides::default()).unwrap();
        assert_eq!(d.detected.roles.subject.as_deref(), Some(subject), "{file}");
        assert_eq!(d.detected.roles.arm.as_deref(), Some(arm), "{file}");
        if visit.is_some() {
            assert_eq!(d.detected.roles.visit.as_deref(), visit, "{file}");
        }
        if param.is_some() {
            assert_eq!(d.detected.roles.param.as_deref(), param, "{file}");
        }
        assert_eq!(d.rows, c["rows"].as_u64().unwrap(), "{file}: rows");
        let cols: Vec<String> = c["columns"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(d.columns, cols, "{file}: columns");
        let arms = c["arms"].as_array().unwrap();
        assert_eq!(d.arms.len(), arms.len(), "{file}: arms");
        for (got, want) in d.arms.iter().zip(arms) {
            assert_eq!(Some(got.arm.clone()), opt(&want["arm"]), "{file}");
            assert_eq!(got.subjects, want["subjects"].as_u64().unwrap(), "{file} {}: subjects", got.arm);
            assert_eq!(got.rows, want["rows"].as_u64().unwrap(), "{file} {}: rows", got.arm);
            let wm = want["missing"].as_object().unwrap();
            assert_eq!(got.missing.len(), wm.len(), "{file} {}: columns with missing values", got.arm);
            for (col, n) in &got.missing {
                assert_eq!(Some(*n), wm[col].as_u64(), "{file} {}: missing {col}", got.arm);
            }
        }
        if d.layout != Layout::Wide {
            let visits: Vec<String> = c["visits"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            assert_eq!(d.visits, visits, "{file}: visits");
        }
        let params: Vec<String> = c["params"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(d.params, params, "{file}: params");
    }
}

#[test]
fn where_filter_matches_python() {
    // --where "AGE >= 80 and SEX = 'F'" on ADSL against the same filter in Python.
    let r = load("ingest_describe.json");
    let want = &r["filtered"];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let f = CsvFile::open(&root.join("datasets/cdisc_pilot01/adsl.csv")).unwrap().with_filter("AGE >= 80 and SEX = 'F'").unwrap();
    let d = describe(&f, &Overrides::default()).unwrap();
    assert_eq!(d.rows, want["rows"].as_u64().unwrap());
    let got: Vec<(String, u64)> = d.arms.iter().map(|a| (a.arm.clone(), a.subjects)).collect();
    let exp: Vec<(String, u64)> = want["arms"].as_array().unwrap().iter().map(|a| (a["arm"].as_str().unwrap().to_string(), a["subjects"].as_u64().unwrap())).collect();
    assert_eq!(got, exp);
    assert_eq!(d.filter.as_deref(), Some("AGE >= 80 and SEX = 'F'"));
    // A text cell compared with a number does not match (non-numeric → missing → false).
    let p = write("mixed.csv", b"id,arm,age\n1,A,70\n2,A,abc\n3,B,90\n");
    let f = CsvFile::open(&p).unwrap().with_filter("age > 60").unwrap();
    assert_eq!(describe(&f, &Overrides::default()).unwrap().rows, 2);
}

#[test]
fn layouts_of_the_bundled_data() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    for (file, layout) in [
        ("cdisc_pilot01/adsl.csv", Layout::AdamAdsl),
        ("cdisc_pilot01/adae.csv", Layout::AdamAdae),
        ("cdisc_pilot01/adqsadas_actot.csv", Layout::AdamBds),
        ("acupuncture_headache/acupuncture_headache.csv", Layout::Wide),
        ("epilepsy_progabide/epil.csv", Layout::Long),
    ] {
        let f = CsvFile::open(&root.join(file)).unwrap();
        assert_eq!(describe(&f, &Overrides::default()).unwrap().layout, layout, "{file}");
    }
    // The headache trial's primary end point pk5 is missing for 56 of 196 controls and 44 of 205
    // acupuncture patients: the BMJ's n = 140 and 161.
    let f = CsvFile::open(&root.join("acupuncture_headache/acupuncture_headache.csv")).unwrap();
    let d = describe(&f, &Overrides::default()).unwrap();
    let pk5: Vec<u64> = d.arms.iter().map(|a| a.missing.iter().find(|(c, _)| c == "pk5").unwrap().1).collect();
    assert_eq!(pk5, vec![56, 44]);
    assert_eq!(d.arms.iter().map(|a| a.subjects).collect::<Vec<_>>(), vec![196, 205]);
}

fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trialstat-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn delimiters_bom_crlf_and_missing_spellings() {
    let body = "subject,arm,visit,value\n1,A,1,5\n1,A,2,\n2,B,1,NA\n2,B,2,.\n3,A,1,7\n";
    for (name, text) in [
        ("comma.csv", body.to_string()),
        ("semicolon.csv", body.replace(',', ";")),
        ("tab.tsv", body.replace(',', "\t")),
        ("bom-crlf.csv", format!("\u{feff}{}", body.replace('\n', "\r\n"))),
    ] {
        let f = CsvFile::open(&write(name, text.as_bytes())).unwrap();
        assert_eq!(f.columns, vec!["subject", "arm", "visit", "value"], "{name}");
        let d = describe(&f, &Overrides::default()).unwrap();
        assert_eq!(d.layout, Layout::Long, "{name}");
        assert_eq!(d.arms.iter().map(|a| (a.arm.as_str(), a.subjects, a.rows)).collect::<Vec<_>>(), vec![("A", 2, 3), ("B", 1, 2)], "{name}");
        let missing: Vec<u64> = d.arms.iter().map(|a| a.missing.iter().find(|(c, _)| c == "value").unwrap().1).collect();
        assert_eq!(missing, vec![1, 2], "{name}: empty, NA and '.' are missing");
        assert_eq!(d.visits, vec!["1", "2"], "{name}");
    }
}

#[test]
fn reading_errors_name_the_file_and_column() {
    let e = CsvFile::open(std::path::Path::new("/nonexistent/trial.csv")).unwrap_err().to_string();
    assert!(e.starts_with("/nonexistent/trial.csv: cannot read"), "{e}");
    let p = write("empty.csv", b"");
    let e = CsvFile::open(&p).unwrap_err().to_string();
    assert!(e.ends_with("empty file: no header line"), "{e}");
    let p = write("dup.csv", b"id,arm,arm\n1,A,B\n");
    let e = CsvFile::open(&p).unwrap_err().to_string();
    assert!(e.contains("column 'arm' appears twice"), "{e}");
    let p = write("long.csv", b"subject,arm,visit,score\n1,A,1,5\n");
    let f = CsvFile::open(&p).unwrap();
    let o = Overrides { value: Some("scor".into()), ..Default::default() };
    let e = describe(&f, &o).unwrap_err().to_string();
    assert!(e.contains("long.csv: --value 'scor': no such column (did you mean 'score'?)"), "{e}");
    let p = write("nosubject.csv", b"a,b\n1,2\n");
    let e = describe(&CsvFile::open(&p).unwrap(), &Overrides::default()).unwrap_err().to_string();
    assert!(e.contains("no subject column recognised"), "{e}");
}
