//! No panic and no partial output on malformed trial files: every command either succeeds or
//! exits with status 2 (unusable file or argument) or 3 (invalid value), with a message naming
//! the file.

use crate::common::cli;

fn check(name: &str, content: &[u8]) {
    let dir = std::env::temp_dir().join(format!("trialstat-robust-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.csv"));
    std::fs::write(&p, content).unwrap();
    let f = p.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["describe", f],
        vec!["responders", f, "--flag", "resp"],
        vec!["responders", f, "--baseline", "b", "--followup", "f", "--reduction", "40%", "--control", "B"],
        vec!["change", f, "--baseline", "b", "--followup", "f", "--control", "B"],
        vec!["change", f, "--baseline-visit", "0", "--followup-visit", "1", "--control", "B"],
        vec!["ae", f, "--subjects", f],
        vec!["incidence", f, "--event", "e", "--time", "t", "--control", "B"],
    ];
    for args in runs {
        let out = cli(&args);
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(code == 0 || code == 2 || code == 3, "{name} {args:?}: exit {code}\n{stderr}");
        if code != 0 {
            assert!(out.stdout.is_empty(), "{name} {args:?}: partial output on failure");
            assert!(stderr.starts_with("trialstat: error: "), "{name} {args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{name} {args:?}: {stderr}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_files_never_panic() {
    check("empty", b"");
    check("header_only", b"id,arm,b,f,resp,visit,value,e,t\n");
    check("blank_lines", b"\n\n\n");
    check("binary", &[0xff, 0xfe, 0x00, 0x01, 0x80, b',', b'\n', 0x00, 0x9f]);
    check("ragged", b"id,arm,b,f\n1,A,1\n2,B,1,2,3,4\n");
    check("unbalanced_quote", b"id,arm,b,f\n1,\"A,1,2\n2,B,1,2\n");
    check("bom_crlf", b"\xef\xbb\xbfid;arm;b;f;resp\r\n1;A;10;5;Y\r\n2;B;10;9;N\r\n");
    check("all_missing", b"id,arm,b,f,resp\n1,A,NA,.,\n2,B,,NA,.\n");
    check("one_subject_per_arm", b"id,arm,b,f,resp\n1,A,10,5,Y\n2,B,10,9,N\n");
    check("huge_numbers", b"id,arm,b,f,e,t\n1,A,1e308,-1e308,1e300,1e308\n2,B,1e-308,1e308,0,1e-320\n");
    check("duplicate_header", b"id,id,arm\n1,2,A\n");
    check("ties_everywhere", b"id,arm,b,f\n1,A,5,5\n2,A,5,5\n3,B,5,5\n4,B,5,5\n");
}

#[test]
fn a_row_that_does_not_fit_the_header_is_named() {
    let dir = std::env::temp_dir().join(format!("trialstat-ragged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("ragged.csv");
    std::fs::write(&p, "id,arm,b,f\n1,A,1,2\n2,B,1,2,3,4\n").unwrap();
    let out = cli(&["change", p.to_str().unwrap(), "--baseline", "b", "--followup", "f", "--control", "B"]);
    assert_eq!(out.status.code(), Some(3));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("ragged.csv:3: row '2,B,1,2,3,4': 6 fields but the header has 4; likely cause: a decimal comma"), "{e}");
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
