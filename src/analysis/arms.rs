//! Choosing the arms of an analysis: the control arm and the arms compared with it.
//!
//! * `--control C` names the control; `--treatment T` (repeatable, or comma-separated) names the
//!   arms compared with it. With neither, a file's arms are all compared with the control.
//! * With no `--control`: if `--treatment` leaves exactly one other arm, that arm is the
//!   control; otherwise the one arm whose label reads like a control (placebo, control, usual
//!   care, standard, sham, vehicle) is taken, and the report says so; otherwise it is an error
//!   listing the arms.
//! * Treatment arms are listed in natural order (numerically when every label is a number).
//! * Rows without an arm label are never compared; they are counted in the notes.

use crate::error::{Error, Result};

/// The arms as the user chose them (either may be empty/None).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArmChoice {
    pub treatment: Vec<String>,
    pub control: Option<String>,
    /// Merge labels that differ only in case or surrounding spaces (`Placebo `, `placebo`)
    /// into the most frequent spelling (`--merge-arm-variants`); otherwise they are an error.
    pub merge_variants: bool,
}

/// The resolved arms: each of `treatments` is compared with `control`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arms {
    pub control: String,
    pub treatments: Vec<String>,
    /// A note when the control was recognised by its label rather than named.
    pub note: Option<String>,
    /// Labels merged into an arm's label (`--merge-arm-variants`): (as written, merged into).
    pub aliases: Vec<(String, String)>,
}

impl Arms {
    /// Every arm of the analysis: the treatments, then the control.
    pub fn all(&self) -> Vec<&str> {
        self.treatments.iter().map(String::as_str).chain(std::iter::once(self.control.as_str())).collect()
    }
    /// Positions in [`Arms::all`] in the order tables and plots show the arms: the control,
    /// then the treatments.
    pub fn shown_order(&self) -> impl Iterator<Item = usize> {
        let c = self.treatments.len();
        std::iter::once(c).chain(0..c)
    }

    /// Where position `k` of [`Arms::all`] stands in [`Arms::shown_order`].
    pub fn shown_index(&self, k: usize) -> usize {
        if k == self.treatments.len() {
            0
        } else {
            k + 1
        }
    }

    /// Put the treatment arms in the order `order` lists them (`--arm-order`): listed arms
    /// first, in that order, then the others as they were; the control may be listed, first
    /// only (tables show it first). An unknown label is an error listing the arms.
    pub fn reorder(&mut self, order: &[String], file: &str, column: &str) -> Result<()> {
        let mut listed: Vec<String> = Vec::new();
        for (i, a) in order.iter().enumerate() {
            if *a == self.control {
                if i != 0 {
                    return Err(Error::invalid("--arm-order", format!("'{a}' at position {}", i + 1), format!("the control '{}' first (tables show it first) or not at all", self.control)));
                }
            } else if self.treatments.contains(a) {
                if !listed.contains(a) {
                    listed.push(a.clone());
                }
            } else {
                return Err(Error::invalid("--arm-order", format!("'{a}'"), format!("an arm of column '{column}' of {file}: {}", self.all().join(", "))));
            }
        }
        let rest: Vec<String> = self.treatments.iter().filter(|t| !listed.contains(t)).cloned().collect();
        self.treatments = listed.into_iter().chain(rest).collect();
        Ok(())
    }

    /// The position of `arm` in [`Arms::all`], if it is one of the analysis's arms.
    pub fn position(&self, arm: &str) -> Option<usize> {
        let arm = self.aliases.iter().find(|(v, _)| v == arm).map_or(arm, |(_, c)| c.as_str());
        self.treatments.iter().position(|t| t == arm).or_else(|| (arm == self.control).then_some(self.treatments.len()))
    }
}

const CONTROL_WORDS: [&str; 7] = ["placebo", "control", "usual", "standard", "sham", "vehicle", "soc"];

/// Sort arm labels naturally: numerically when all are numbers, else as text.
pub fn natural_sort(arms: &mut [String]) {
    if arms.iter().all(|a| a.trim().parse::<f64>().is_ok()) {
        arms.sort_by(|a, b| a.trim().parse::<f64>().unwrap_or(0.0).total_cmp(&b.trim().parse::<f64>().unwrap_or(0.0)));
    } else {
        arms.sort();
    }
}

/// Resolve `choice` against the arms `present` in `file` (column `arm_column`, after any row
/// filter, whose text is `filter`).
pub fn resolve(file: &str, arm_column: &str, present: &[String], choice: &ArmChoice, filter: Option<&str>) -> Result<Arms> {
    let mut present: Vec<String> = present.to_vec();
    natural_sort(&mut present);
    present.dedup();
    let listed = present.join(", ");
    let check = |flag: &str, label: &str| -> Result<()> {
        if present.iter().any(|a| a == label) {
            return Ok(());
        }
        let hint = crate::ingest::closest(label, present.iter().map(String::as_str)).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
        let after = filter.map(|f| format!(" after --where \"{f}\"")).unwrap_or_default();
        Err(Error::invalid(flag, format!("'{label}'"), format!("an arm of column '{arm_column}' in {file}{after}{hint}: {listed}")))
    };
    for t in &choice.treatment {
        check("--treatment", t)?;
    }
    if let Some(c) = &choice.control {
        check("--control", c)?;
        if choice.treatment.contains(c) {
            return Err(Error::invalid("--treatment", format!("'{c}'"), "an arm other than the control"));
        }
    }
    let mut note = None;
    let control = match &choice.control {
        Some(c) => c.clone(),
        None => {
            let rest: Vec<&String> = present.iter().filter(|a| !choice.treatment.contains(a)).collect();
            if !choice.treatment.is_empty() && rest.len() == 1 {
                rest[0].clone()
            } else {
                let like: Vec<&&String> = rest
                    .iter()
                    .filter(|a| {
                        let l = a.to_ascii_lowercase();
                        CONTROL_WORDS.iter().any(|w| l.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| word == *w))
                    })
                    .collect();
                if like.len() == 1 {
                    note = Some(format!("Control arm: '{}' (recognised by its label; name another with --control).", like[0]));
                    (*like[0]).clone()
                } else {
                    return Err(Error::invalid("--control", "not given", format!("the control arm of column '{arm_column}' in {file}: one of {listed}")));
                }
            }
        }
    };
    let treatments: Vec<String> =
        if choice.treatment.is_empty() { present.iter().filter(|a| **a != control).cloned().collect() } else { choice.treatment.clone() };
    if treatments.is_empty() {
        return Err(Error::invalid("--control", format!("'{control}'"), format!("a control arm with at least one other arm to compare; column '{arm_column}' in {file} has only: {listed}")));
    }
    Ok(Arms { control, treatments, note, aliases: Vec::new() })
}

/// Labels of one arm column that differ only in case or surrounding whitespace, with their row
/// counts: an error listing every group, or with `merge` the aliases (variant, most frequent
/// spelling) and a note saying what was merged. `counts` = (label, rows), every label once.
pub fn variants(file: &str, arm_column: &str, counts: &[(String, u64)], merge: bool) -> Result<(Vec<(String, String)>, Option<String>)> {
    let key = |l: &str| l.trim().to_lowercase();
    let mut groups: Vec<(String, Vec<(String, u64)>)> = Vec::new();
    for (l, n) in counts {
        match groups.iter_mut().find(|(k, _)| *k == key(l)) {
            Some((_, g)) => g.push((l.clone(), *n)),
            None => groups.push((key(l), vec![(l.clone(), *n)])),
        }
    }
    groups.retain(|(_, g)| g.len() > 1);
    if groups.is_empty() {
        return Ok((Vec::new(), None));
    }
    for (_, g) in &mut groups {
        g.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    let show = |g: &[(String, u64)]| g.iter().map(|(l, n)| format!("'{}' ({n} row{})", crate::fmt::quote_value(l), if *n == 1 { "" } else { "s" })).collect::<Vec<_>>().join(", ");
    if !merge {
        let listed = groups.iter().map(|(_, g)| show(g)).collect::<Vec<_>>().join("; ");
        return Err(Error::Data {
            file: file.to_string(),
            line: 0,
            column: arm_column.to_string(),
            value: groups[0].1[0].0.clone(),
            message: format!("arm labels that differ only in case or spaces: {listed}; correct the file, or add --merge-arm-variants (spec: merge_arm_variants = true) to count them as one arm"),
        });
    }
    let mut aliases = Vec::new();
    let mut merged = Vec::new();
    for (_, g) in groups {
        let canon = g[0].0.clone();
        for (l, _) in &g[1..] {
            aliases.push((l.clone(), canon.clone()));
        }
        merged.push(format!("{} counted as '{}'", show(&g), crate::fmt::quote_value(&canon)));
    }
    Ok((aliases, Some(format!("Arm labels merged (--merge-arm-variants): {}.", merged.join("; ")))))
}

/// [`resolve`] against the arms present in column `arm_column` of `file` (after its filter),
/// after [`variants`].
pub fn resolve_in_file(file: &crate::ingest::table::CsvFile, arm_column: &str, choice: &ArmChoice) -> Result<Arms> {
    let counts = crate::ingest::table::value_counts(file, arm_column)?;
    if counts.is_empty() {
        return Err(Error::Data {
            file: file.name.clone(),
            line: 0,
            column: arm_column.into(),
            value: String::new(),
            message: match &file.filter {
                Some(f) => format!("no row with an arm label is left after --where \"{}\"", f.text),
                None => "no row has an arm label".into(),
            },
        });
    }
    resolve_counted(&file.name, arm_column, &counts, choice, file.filter.as_ref().map(|f| f.text.as_str()))
}

/// [`resolve`] on labels with their row counts, checking [`variants`] first.
pub fn resolve_counted(file: &str, arm_column: &str, counts: &[(String, u64)], choice: &ArmChoice, filter: Option<&str>) -> Result<Arms> {
    let (aliases, merged) = variants(file, arm_column, counts, choice.merge_variants)?;
    let present: Vec<String> = counts.iter().map(|(l, _)| l.clone()).filter(|l| !aliases.iter().any(|(v, _)| v == l)).collect();
    let mut arms = resolve(file, arm_column, &present, choice, filter)?;
    arms.aliases = aliases;
    if let Some(m) = merged {
        arms.note = Some(match arms.note.take() {
            Some(n) => format!("{m} {n}"),
            None => m,
        });
    }
    Ok(arms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn recognises_placebo_and_compares_every_arm() {
        let p = s(&["Xanomeline Low Dose", "Placebo", "Xanomeline High Dose"]);
        let a = resolve("adsl.csv", "TRT01A", &p, &ArmChoice::default(), None).unwrap();
        assert_eq!(a.control, "Placebo");
        assert_eq!(a.treatments, s(&["Xanomeline High Dose", "Xanomeline Low Dose"]));
        assert!(a.note.as_deref().unwrap().contains("recognised"));
        assert_eq!(a.position("Placebo"), Some(2));
    }

    #[test]
    fn two_numeric_arms_need_one_named() {
        let p = s(&["1", "0"]);
        let e = resolve("h.csv", "group", &p, &ArmChoice::default(), None).unwrap_err().to_string();
        assert!(e.contains("--control") && e.contains("one of 0, 1"), "{e}");
        let a = resolve("h.csv", "group", &p, &ArmChoice { treatment: s(&["1"]), control: None, merge_variants: false }, None).unwrap();
        assert_eq!((a.control.as_str(), a.treatments.clone()), ("0", s(&["1"])));
        let a = resolve("h.csv", "group", &p, &ArmChoice { treatment: vec![], control: Some("0".into()), merge_variants: false }, None).unwrap();
        assert_eq!(a.treatments, s(&["1"]));
    }

    #[test]
    fn label_variants_are_an_error_unless_merged() {
        let c = vec![("Placebo".to_string(), 40), ("Active".to_string(), 41), ("Placebo ".to_string(), 12), ("placebo".to_string(), 3)];
        let e = resolve_counted("t.csv", "arm", &c, &ArmChoice { control: Some("Placebo".into()), ..Default::default() }, None).unwrap_err().to_string();
        assert!(e.contains("'Placebo' (40 rows), 'Placebo ' (12 rows), 'placebo' (3 rows)") && e.contains("--merge-arm-variants"), "{e}");
        let choice = ArmChoice { control: Some("Placebo".into()), merge_variants: true, ..Default::default() };
        let a = resolve_counted("t.csv", "arm", &c, &choice, None).unwrap();
        assert_eq!((a.position("placebo"), a.position("Placebo "), a.position("Active")), (Some(1), Some(1), Some(0)));
        assert!(a.note.as_deref().unwrap().contains("counted as 'Placebo'"), "{:?}", a.note);
    }

    #[test]
    fn unknown_arm_suggests_the_closest() {
        let p = s(&["placebo", "progabide"]);
        let e = resolve("epil.csv", "trt", &p, &ArmChoice { treatment: s(&["progabid"]), control: None, merge_variants: false }, Some("age > 20")).unwrap_err().to_string();
        assert!(e.contains("did you mean 'progabide'") && e.contains("after --where \"age > 20\""), "{e}");
        let e = resolve("epil.csv", "trt", &s(&["placebo"]), &ArmChoice::default(), None).unwrap_err().to_string();
        assert!(e.contains("has only: placebo"), "{e}");
    }
}
