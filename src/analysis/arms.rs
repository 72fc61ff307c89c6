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
}

/// The resolved arms: each of `treatments` is compared with `control`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arms {
    pub control: String,
    pub treatments: Vec<String>,
    /// A note when the control was recognised by its label rather than named.
    pub note: Option<String>,
}

impl Arms {
    /// Every arm of the analysis: the treatments, then the control.
    pub fn all(&self) -> Vec<&str> {
        self.treatments.iter().map(String::as_str).chain(std::iter::once(self.control.as_str())).collect()
    }
    /// The position of `arm` in [`Arms::all`], if it is one of the analysis's arms.
    pub fn position(&self, arm: &str) -> Option<usize> {
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
    Ok(Arms { control, treatments, note })
}

/// [`resolve`] against the arms present in column `arm_column` of `file` (after its filter).
pub fn resolve_in_file(file: &crate::ingest::table::CsvFile, arm_column: &str, choice: &ArmChoice) -> Result<Arms> {
    let present = crate::ingest::table::distinct(file, arm_column)?;
    if present.is_empty() {
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
    resolve(&file.name, arm_column, &present, choice, file.filter.as_ref().map(|f| f.text.as_str()))
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
        let a = resolve("h.csv", "group", &p, &ArmChoice { treatment: s(&["1"]), control: None }, None).unwrap();
        assert_eq!((a.control.as_str(), a.treatments.clone()), ("0", s(&["1"])));
        let a = resolve("h.csv", "group", &p, &ArmChoice { treatment: vec![], control: Some("0".into()) }, None).unwrap();
        assert_eq!(a.treatments, s(&["1"]));
    }

    #[test]
    fn unknown_arm_suggests_the_closest() {
        let p = s(&["placebo", "progabide"]);
        let e = resolve("epil.csv", "trt", &p, &ArmChoice { treatment: s(&["progabid"]), control: None }, Some("age > 20")).unwrap_err().to_string();
        assert!(e.contains("did you mean 'progabide'") && e.contains("after --where \"age > 20\""), "{e}");
        let e = resolve("epil.csv", "trt", &s(&["placebo"]), &ArmChoice::default(), None).unwrap_err().to_string();
        assert!(e.contains("has only: placebo"), "{e}");
    }
}
