//! Recognising a trial file's layout and the role of its columns from the header alone.
//!
//! | layout | recognised by | one row per |
//! |---|---|---|
//! | ADaM ADSL | `USUBJID` and a treatment (`TRT01A`, `TRT01P` or `ARM`), no `PARAMCD`/`AEDECOD` | subject |
//! | ADaM BDS (ADLB, ADQS, ...) | `USUBJID`, `PARAMCD` and `AVAL` | subject × parameter × visit |
//! | ADaM ADAE | `USUBJID` and `AEDECOD` | adverse event |
//! | long | a subject column and a visit column | subject × visit (× parameter) |
//! | wide | a subject column and no visit column | subject (visits as columns `pk1`, `pk2`, `pk5`) |
//!
//! Column names are matched without regard to case. Every role can be named explicitly
//! (`--subject`, `--arm`, `--visit`, `--param`, `--value`, `--site`), which overrides the guess;
//! a named column that does not exist is an error listing the columns present and the closest.

use crate::error::{Error, Result};
use serde::Serialize;

/// The layouts trialstat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    AdamAdsl,
    AdamBds,
    AdamAdae,
    Long,
    Wide,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::AdamAdsl => "ADaM ADSL (one row per subject)",
            Layout::AdamBds => "ADaM BDS (one row per subject, parameter and visit)",
            Layout::AdamAdae => "ADaM ADAE (one row per adverse event)",
            Layout::Long => "long (one row per subject and visit)",
            Layout::Wide => "wide (one row per subject, visits as columns)",
        }
    }
}

/// Column roles; `None` where the file has no such column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Roles {
    pub subject: Option<String>,
    pub arm: Option<String>,
    pub visit: Option<String>,
    pub param: Option<String>,
    pub value: Option<String>,
    pub site: Option<String>,
}

/// Columns named by the user (flags), taking precedence over recognition.
pub type Overrides = Roles;

/// The detected layout, the column roles and, for wide files, the visit columns by family
/// (e.g. `pk` → [`pk1`, `pk2`, `pk5`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detected {
    pub layout: Layout,
    pub roles: Roles,
    pub visit_columns: Vec<(String, Vec<String>)>,
}

impl Detected {
    /// The arm column, or an error naming the file and its columns (`what` = "arm" or
    /// "arm or exposure").
    pub fn arm_column(&self, file: &str, columns: &[String], what: &str) -> crate::error::Result<String> {
        self.roles.arm.clone().ok_or_else(|| crate::error::Error::File {
            file: file.to_string(),
            message: format!("no {what} column recognised; name it with --arm; columns present: {}", columns.join(", ")),
        })
    }
}

const SUBJECT: &[&str] = &["USUBJID", "subject", "subjid", "subject_id", "patient", "patient_id", "pid", "participant", "id"];
const ARM: &[&str] = &["TRT01A", "TRT01P", "ARM", "TRTA", "TRTP", "arm", "group", "treatment", "treat", "trt", "rx", "exposure"];
const VISIT: &[&str] = &["AVISIT", "visit", "week", "period", "timepoint", "time", "day"];
const PARAM: &[&str] = &["PARAMCD", "param", "parameter", "test"];
const VALUE: &[&str] = &["AVAL", "value", "result", "score"];
const SITE: &[&str] = &["SITEID", "site", "clinic", "center", "centre", "practice_id"];

fn find(columns: &[String], candidates: &[&str]) -> Option<String> {
    candidates.iter().find_map(|c| columns.iter().find(|h| h.eq_ignore_ascii_case(c)).cloned())
}

fn has(columns: &[String], name: &str) -> bool {
    columns.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Check that a user-named column exists; the error lists the columns and the closest name.
pub fn require_column(file: &str, flag: &str, name: &str, columns: &[String]) -> Result<String> {
    if let Some(c) = columns.iter().find(|h| h.as_str() == name).or_else(|| columns.iter().find(|h| h.eq_ignore_ascii_case(name))) {
        return Ok(c.clone());
    }
    let hint = match super::closest(name, columns.iter().map(String::as_str)) {
        Some(c) => format!(" (did you mean '{c}'?)"),
        None => String::new(),
    };
    Err(Error::File {
        file: file.into(),
        message: format!("{flag} '{name}': no such column{hint}; columns present: {}", columns.join(", ")),
    })
}

/// Recognise the layout and the column roles from the header; `overrides` win.
pub fn detect(file: &str, columns: &[String], overrides: &Overrides) -> Result<Detected> {
    let roles = roles(file, columns, overrides)?;
    let adam = has(columns, "USUBJID");
    let layout = if adam && has(columns, "AEDECOD") {
        Layout::AdamAdae
    } else if adam && has(columns, "PARAMCD") && has(columns, "AVAL") {
        Layout::AdamBds
    } else if adam && (has(columns, "TRT01A") || has(columns, "TRT01P") || has(columns, "ARM")) {
        Layout::AdamAdsl
    } else if roles.visit.is_some() {
        Layout::Long
    } else {
        Layout::Wide
    };
    if roles.subject.is_none() {
        return Err(Error::File {
            file: file.into(),
            message: format!(
                "no subject column recognised (looked for {}); name it with --subject; columns present: {}",
                SUBJECT.join(", "),
                columns.join(", ")
            ),
        });
    }
    let visit_columns = if layout == Layout::Wide { visit_families(columns) } else { Vec::new() };
    Ok(Detected { layout, roles, visit_columns })
}

/// The columns playing each role: the one named by an override (which must exist), else the
/// first recognised name. Unlike [`detect`], a file without a subject column is accepted (one
/// value per row, e.g. for `bootstrap`).
pub fn roles(file: &str, columns: &[String], overrides: &Overrides) -> Result<Roles> {
    let pick = |flag: &str, o: &Option<String>, cands: &[&str]| -> Result<Option<String>> {
        match o {
            Some(name) => require_column(file, flag, name, columns).map(Some),
            None => Ok(find(columns, cands)),
        }
    };
    Ok(Roles {
        subject: pick("--subject", &overrides.subject, SUBJECT)?,
        arm: pick("--arm", &overrides.arm, ARM)?,
        visit: pick("--visit", &overrides.visit, VISIT)?,
        param: pick("--param", &overrides.param, PARAM)?,
        value: pick("--value", &overrides.value, VALUE)?,
        site: pick("--site", &overrides.site, SITE)?,
    })
}

/// Families of columns `prefix` + number with at least two members (`pk1`, `pk2`, `pk5`), in
/// the order of the header; the prefix must start with a letter.
pub fn visit_families(columns: &[String]) -> Vec<(String, Vec<String>)> {
    let mut fams: Vec<(String, Vec<String>)> = Vec::new();
    for c in columns {
        let digits = c.chars().rev().take_while(|ch| ch.is_ascii_digit()).count();
        if digits == 0 || digits == c.len() {
            continue;
        }
        let prefix = &c[..c.len() - digits];
        if !prefix.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic()) {
            continue;
        }
        match fams.iter_mut().find(|(p, _)| p == prefix) {
            Some((_, v)) => v.push(c.clone()),
            None => fams.push((prefix.to_string(), vec![c.clone()])),
        }
    }
    fams.retain(|(_, v)| v.len() >= 2);
    fams
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn recognises_adam_files() {
        let adsl = cols("STUDYID,USUBJID,SUBJID,SITEID,ARM,TRT01P,TRT01A,SAFFL,ITTFL,AGE,SEX");
        let d = detect("adsl.csv", &adsl, &Overrides::default()).unwrap();
        assert_eq!(d.layout, Layout::AdamAdsl);
        assert_eq!(d.roles.subject.as_deref(), Some("USUBJID"));
        assert_eq!(d.roles.arm.as_deref(), Some("TRT01A"));
        assert_eq!(d.roles.site.as_deref(), Some("SITEID"));
        let bds = cols("STUDYID,SITEID,USUBJID,TRTP,AVISIT,AVISITN,PARAM,PARAMCD,AVAL,BASE,CHG,PCHG,ABLFL");
        let d = detect("adqs.csv", &bds, &Overrides::default()).unwrap();
        assert_eq!(d.layout, Layout::AdamBds);
        assert_eq!((d.roles.arm.as_deref(), d.roles.visit.as_deref(), d.roles.param.as_deref(), d.roles.value.as_deref()), (Some("TRTP"), Some("AVISIT"), Some("PARAMCD"), Some("AVAL")));
        let adae = cols("STUDYID,SITEID,USUBJID,TRTA,AEDECOD,AEBODSYS,AESEV,AESER,TRTEMFL");
        assert_eq!(detect("adae.csv", &adae, &Overrides::default()).unwrap().layout, Layout::AdamAdae);
    }

    #[test]
    fn recognises_long_and_wide_files() {
        // cdystonia: long, value column named by the user.
        let c = cols("week,site,id,treat,age,sex,twstrs");
        let o = Overrides { value: Some("twstrs".into()), ..Default::default() };
        let d = detect("cdystonia.csv", &c, &o).unwrap();
        assert_eq!(d.layout, Layout::Long);
        assert_eq!((d.roles.subject.as_deref(), d.roles.arm.as_deref(), d.roles.visit.as_deref()), (Some("id"), Some("treat"), Some("week")));
        // The headache trial: wide, visits as pk1/pk2/pk5 and f1/f2/f5.
        let h = cols("id,age,sex,group,pk1,pk2,pk5,f1,f2,f5,pchange");
        let d = detect("headache.csv", &h, &Overrides::default()).unwrap();
        assert_eq!(d.layout, Layout::Wide);
        assert_eq!(d.roles.arm.as_deref(), Some("group"));
        assert_eq!(d.visit_columns[0], ("pk".to_string(), vec!["pk1".to_string(), "pk2".into(), "pk5".into()]));
        assert_eq!(d.visit_columns[1].0, "f");
    }

    #[test]
    fn a_misnamed_column_lists_the_columns_and_the_closest() {
        let c = cols("week,site,id,treat,age,sex,twstrs");
        let o = Overrides { value: Some("twstr".into()), ..Default::default() };
        let e = detect("cdystonia.csv", &c, &o).unwrap_err().to_string();
        assert!(e.starts_with("cdystonia.csv: --value 'twstr': no such column (did you mean 'twstrs'?)"), "{e}");
        assert!(e.contains("columns present: week, site, id"), "{e}");
        let e = detect("x.csv", &cols("a,b,c"), &Overrides::default()).unwrap_err().to_string();
        assert!(e.contains("no subject column recognised") && e.contains("--subject"), "{e}");
    }
}
