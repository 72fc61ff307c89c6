//! The README as a newcomer meets it: every command in its `sh` blocks (and in the table of
//! one-liners) runs with the built binary from the repository root and exits 0, and every figure
//! a comment quotes after "→" (numbers such as `87/161`, `1.68`, `-4.64`, `46.0%`) appears in
//! what the command prints. A command that breaks or a quoted figure that drifts fails here.
//! The `$ trialstat ...` transcripts of its `text` blocks (error messages) run on the files in
//! `tests/readme/` and must print exactly what the README shows.

use std::path::Path;

/// Words of a command line as a POSIX shell splits them (single and double quotes, no
/// expansions; the README's commands need no more).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quote, mut started) = (None, false);
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// The number-like tokens of a quoted figure: `87/161`, `-4.64`, `46.0%`, `1,040`.
fn figures(quoted: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = quoted.replace('−', "-").chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let neg = chars[i] == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit) && (i == 0 || !chars[i - 1].is_alphanumeric());
        if chars[i].is_ascii_digit() || neg {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || (matches!(chars[i], '.' | ',' | '/') && chars.get(i + 1).is_some_and(char::is_ascii_digit))) {
                i += 1;
            }
            if chars.get(i) == Some(&'%') {
                i += 1;
            }
            // Words such as "90-day" or "8-week" are descriptions, not figures.
            if !chars.get(i).is_some_and(|c| c.is_alphabetic() || *c == '-') {
                out.push(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `token` occurs in `text` as a whole number (no digit, point or minus sign glued to
/// either side: `1.68` is not found in `11.68` or `1.685`).
fn has_figure(text: &str, token: &str) -> bool {
    let text = text.replace('−', "-");
    text.match_indices(token).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + token.len()..].chars().collect::<Vec<_>>();
        let glued_before = before.is_some_and(|c| c.is_ascii_digit() || c == '.' || (c == '-' && !token.starts_with('-')));
        let glued_after = after.first().is_some_and(|c| c.is_ascii_digit()) || (after.first() == Some(&'.') && after.get(1).is_some_and(char::is_ascii_digit));
        !glued_before && !glued_after
    })
}

/// A README command: its words after `trialstat` and the figures quoted for it.
struct Example {
    line: usize,
    args: Vec<String>,
    quoted: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let (mut in_sh, mut quoted, mut pending) = (false, Vec::<String>::new(), String::new());
    let mut start_line = 0;
    for (n, raw) in readme.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with("```") {
            in_sh = line == "```sh";
            quoted.clear();
            continue;
        }
        if !in_sh {
            // The table of one-liners: | `trialstat prop 7/1000` | ... (no placeholders).
            if let Some(cmd) = line.strip_prefix("| `trialstat ").and_then(|r| r.split('`').next()) {
                if !cmd.split(' ').any(|w| w.chars().all(|c| c.is_ascii_uppercase()) && w.len() > 1) {
                    out.push(Example { line: n + 1, args: shell_words(cmd), quoted: Vec::new() });
                }
            }
            continue;
        }
        if line.is_empty() {
            quoted.clear();
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some((_, q)) = comment.split_once('→') {
                quoted.push(q.to_string());
            }
            continue;
        }
        if pending.is_empty() {
            start_line = n + 1;
        }
        // A trailing comment: "cmd     # → figures".
        let (cmd, trailing) = match line.split_once("  #") {
            Some((c, t)) => (c.trim_end(), Some(t)),
            None => (line, None),
        };
        if let Some(q) = trailing.and_then(|t| t.split_once('→')).map(|(_, q)| q.to_string()) {
            quoted.push(q);
        }
        match cmd.strip_suffix('\\') {
            Some(part) => {
                pending.push_str(part);
                pending.push(' ');
                continue;
            }
            None => pending.push_str(cmd),
        }
        let words = shell_words(&std::mem::take(&mut pending));
        let args: Option<Vec<String>> = match words.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["cargo", "run", "--", ..] => Some(words[3..].to_vec()),
            ["trialstat", ..] => Some(words[1..].to_vec()),
            _ => None,
        };
        if let Some(args) = args {
            out.push(Example { line: start_line, args, quoted: std::mem::take(&mut quoted) });
        }
        quoted.clear();
    }
    out
}

#[test]
fn readme_commands_run_and_print_the_figures_they_quote() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let all = examples(&readme);
    let out_root = std::env::temp_dir().join(format!("trialstat-readme-{}", std::process::id()));
    let mut checked = 0;
    for (k, ex) in all.iter().enumerate() {
        let mut args = ex.args.clone();
        // Reports go to a temporary folder, not into the repository.
        if args.first().map(String::as_str) == Some("report") {
            let dir = out_root.join(format!("report-{k}"));
            match args.iter().position(|a| a == "--out") {
                Some(i) => args[i + 1] = dir.display().to_string(),
                None => args.extend(["--out".to_string(), dir.display().to_string()]),
            }
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialstat")).args(&args).current_dir(root).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "README line {}: trialstat {} exited {:?}: {}", ex.line, args.join(" "), out.status.code(), String::from_utf8_lossy(&out.stderr));
        for q in &ex.quoted {
            for f in figures(q) {
                assert!(has_figure(&stdout, &f), "README line {}: `trialstat {}` no longer prints {f} (quoted: \"{}\"):\n{stdout}", ex.line, ex.args.join(" "), q.trim());
                checked += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out_root);
    assert!(all.len() >= 28, "only {} README commands found: has the README's layout changed?", all.len());
    assert!(checked >= 100, "only {checked} quoted figures checked");
    eprintln!("{} README commands ran, {checked} quoted figures found in their output", all.len());
}

#[test]
fn the_readme_parser_reads_quotes_and_figures() {
    assert_eq!(shell_words(r#"change x.csv --where "EFFFL = 'Y'" --arm-label 0="Usual care" a\ b"#), ["change", "x.csv", "--where", "EFFFL = 'Y'", "--arm-label", "0=Usual care", "a\\", "b"]);
    assert_eq!(figures(" 87/161 vs 45/140; RR 1.68 (1.28 to 2.24), −4.64, 46.0%, 1,040 rows, 90-day"), ["87/161", "45/140", "1.68", "1.28", "2.24", "-4.64", "46.0%", "1,040"]);
    assert!(has_figure("RR 1.68 (x)", "1.68") && !has_figure("11.68", "1.68") && !has_figure("1.685", "1.68") && has_figure("p 0.005.", "0.005"));
    assert!(!has_figure("-4.64", "4.64") && has_figure("−4.64", "-4.64"));
}

#[test]
fn readme_transcripts_print_what_they_show() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut in_text = false;
    let mut runs: Vec<(usize, String, Vec<String>)> = Vec::new();
    for (n, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_text = line == "```text";
            continue;
        }
        if !in_text {
            continue;
        }
        match line.strip_prefix("$ trialstat ") {
            Some(cmd) => runs.push((n + 1, cmd.to_string(), Vec::new())),
            None => {
                if let Some(r) = runs.last_mut() {
                    r.2.push(line.to_string());
                }
            }
        }
    }
    assert!(runs.len() >= 2, "the README's error transcripts are gone");
    for (line, cmd, want) in runs {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialstat")).args(shell_words(&cmd)).current_dir(root.join("tests/readme")).output().unwrap();
        let got = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(got.lines().collect::<Vec<_>>(), want, "README line {line}: `trialstat {cmd}` prints otherwise");
        assert_eq!(out.status.code(), Some(3), "README line {line}: a data error exits 3");
    }
}
