//! Every plot kind drawn from real analyses of the bundled trials, as SVG and PNG: the bytes are
//! the same on a second rendering, the PNG decodes to the stated size, and the SVG carries the
//! title, the axis titles and the arm labels. The files are written to `target/plots-test/` for
//! looking at.

use crate::common::dataset;
use trialstat::analysis::arms::{resolve_in_file, ArmChoice};
use trialstat::analysis::counts::CountOptions;
use trialstat::ingest::layout::Overrides;
use trialstat::ingest::subjects::{subject_pairs, PairQuery, ValueSource};
use trialstat::ingest::table::CsvFile;
use trialstat::plot::{self, from_report, Figure, Plot};
use trialstat::stats::Measure;

fn out_dir() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("plots-test");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `s` made long enough to run past the right edge of any plot (titles, subtitles, labels).
fn long(s: &str) -> String {
    format!("{s}: a label long enough to run past the edge of the canvas, as readers' titles, populations and arm names sometimes are (intention-to-treat population, n = 1,234)")
}

/// Every text the plot draws lies inside its canvas (nothing clipped at an edge).
fn inside_canvas(name: &str, p: &impl Plot) {
    let (w, h) = p.size();
    let ink = plot::text_ink(p).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!ink.is_empty(), "{name}: no text drawn");
    let out: Vec<_> = ink.iter().filter(|t| t.min.0 < 0 || t.min.1 < 0 || t.max.0 >= w as i32 || t.max.1 >= h as i32).collect();
    assert!(out.is_empty(), "{name}: text outside the {w}×{h} canvas: {out:#?}");
    if name.ends_with("-long") {
        std::fs::write(out_dir().join(format!("{name}.png")), plot::render(p).unwrap().png).unwrap();
    }
}

/// Render twice, compare bytes, check the PNG header and size, write both files.
fn check(name: &str, p: &impl Plot, must_contain: &[&str]) -> Figure {
    let a = plot::render(p).unwrap_or_else(|e| panic!("{name}: {e}"));
    let b = plot::render(p).unwrap();
    assert_eq!(a.svg, b.svg, "{name}: SVG differs between two renderings");
    assert_eq!(a.png, b.png, "{name}: PNG differs between two renderings");
    assert_eq!(&a.png[..8], b"\x89PNG\r\n\x1a\n", "{name}: PNG signature");
    let dec = png::Decoder::new(std::io::Cursor::new(&a.png)).read_info().unwrap();
    assert_eq!((dec.info().width, dec.info().height), p.size(), "{name}: PNG size");
    assert!(a.svg.starts_with("<svg"), "{name}");
    for s in must_contain {
        assert!(a.svg.contains(s), "{name}: SVG lacks {s:?}");
    }
    inside_canvas(name, p);
    // Text is drawn in the PNG: a rendering with the title changed differs.
    let d = out_dir();
    std::fs::write(d.join(format!("{name}.svg")), &a.svg).unwrap();
    std::fs::write(d.join(format!("{name}.png")), &a.png).unwrap();
    a
}

#[test]
fn responder_rates_and_stratified_forest() {
    use trialstat::analysis::responders::{responders_file, MissingPolicy, ResponderRule, ResponderSpec};
    let f = CsvFile::open(std::path::Path::new(&dataset("indo_rct/indo_rct.csv"))).unwrap();
    let spec = ResponderSpec {
        arms: ArmChoice { treatment: vec!["1_indomethacin".into()], control: Some("0_placebo".into()), ..Default::default() },
        rule: ResponderRule::Flag { column: "outcome".into(), value: Some("1_yes".into()) },
        baseline: None,
        followup: None,
        param: None,
        missing: MissingPolicy::CompleteCase,
        strata: Some("site".into()),
        by_responder: None,
        quantile_type: 7,
    };
    let o = Overrides { arm: Some("rx".into()), ..Default::default() };
    let r = responders_file(&f, &o, &spec, &CountOptions::default()).unwrap();
    let bars = from_report::rate_bars(&r, "Post-ERCP pancreatitis by arm", "Patients with pancreatitis").unwrap();
    check("rates", &bars, &["Post-ERCP pancreatitis by arm", "1_indomethacin", "27/295", "(wilson)"]);
    let mut l = bars.clone();
    (l.title, l.subtitle, l.y_label) = (long(&l.title), long(&l.subtitle), long(&l.y_label));
    l.groups.iter_mut().for_each(|g| g.label = long(&g.label));
    inside_canvas("rates-long", &l);
    // Per-site risk ratios need per-stratum rows: use the stratified one-liner on the same counts.
    let strata: Vec<trialstat::data::Stratum> = r.inputs["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| trialstat::data::Stratum {
            label: s["stratum"].as_str().unwrap().to_string(),
            table: trialstat::data::TwoByTwo::new(
                trialstat::data::BinomialCount::new(s["events_treated"].as_u64().unwrap(), s["n_treated"].as_u64().unwrap()).unwrap(),
                trialstat::data::BinomialCount::new(s["events_control"].as_u64().unwrap(), s["n_control"].as_u64().unwrap()).unwrap(),
            ),
        })
        .collect();
    let sr = trialstat::analysis::counts::stratified(&strata, "indo_rct by site", &CountOptions::default()).unwrap();
    let mut fp = from_report::forest(&sr, Measure::RiskRatio, Some(Measure::MhRiskRatio), "Pancreatitis by site: indomethacin vs placebo", "Risk ratio").unwrap();
    fp.favours = Some(("indomethacin better".into(), "placebo better".into()));
    assert!(fp.rows.iter().any(|r| r.summary), "MH row");
    check("forest", &fp, &["Risk ratio", "log scale", "(MH)"]);
    let mut l = fp.clone();
    (l.title, l.subtitle, l.x_label) = (long(&l.title), long(&l.subtitle), long(&l.x_label));
    l.favours = Some((long("favours indomethacin"), long("favours placebo")));
    l.rows.iter_mut().for_each(|r| r.label = long(&r.label));
    inside_canvas("forest-long", &l);
}

#[test]
fn waterfall_box_and_visits() {
    let h = CsvFile::open(std::path::Path::new(&dataset("acupuncture_headache/acupuncture_headache.csv"))).unwrap();
    let arms = resolve_in_file(&h, "group", &ArmChoice { treatment: vec!["1".into()], control: Some("0".into()), ..Default::default() }).unwrap();
    let q = PairQuery {
        arm: "group".into(),
        subject: Some("id".into()),
        baseline: Some(ValueSource::Column("pk1".into())),
        followup: Some(ValueSource::Column("pk5".into())),
        ..Default::default()
    };
    let pairs = subject_pairs(&h, &q).unwrap();
    let w = from_report::waterfall(&pairs, &arms, Some(-35.0), "Headache score: change from baseline to 12 months", "acupuncture (1) vs usual care (0)").unwrap();
    assert_eq!(w.bars.len(), 161 + 140);
    check("waterfall", &w, &["responder threshold", "Change from baseline (%)"]);
    let mut l = w.clone();
    (l.title, l.subtitle, l.y_label) = (long(&l.title), long(&l.subtitle), long(&l.y_label));
    l.arms.iter_mut().for_each(|a| *a = long(a));
    inside_canvas("waterfall-long", &l);
    let b = from_report::change_box(&pairs, &arms, "Headache score: change at 12 months", "pk5 − pk1 by arm", "Change in headache score (points)").unwrap();
    check("box", &b, &["(n = 161)", "(n = 140)"]);
    let mut l = b.clone();
    (l.title, l.subtitle, l.y_label) = (long(&l.title), long(&l.subtitle), long(&l.y_label));
    l.groups.iter_mut().for_each(|g| g.0 = long(&g.0));
    inside_canvas("box-long", &l);
    let f = CsvFile::open(std::path::Path::new(&dataset("cdisc_pilot01/adqsadas_actot.csv"))).unwrap().with_filter("EFFFL = 'Y' and ANL01FL = 'Y'").unwrap();
    let spec = trialstat::analysis::change::ChangeSpec { baseline_visit: Some("Baseline".into()), ..Default::default() };
    let r = trialstat::analysis::change::change_file(&f, &Overrides::default(), &spec).unwrap();
    let v = from_report::mean_over_visits(&r, "ADAS-Cog(11): mean change from baseline", "Mean change (points), 95% CI", &[], "Visit").unwrap();
    assert_eq!(v.visits, ["Week 8", "Week 16", "Week 24"]);
    check("visits", &v, &["Week 16", "Placebo", "Mean change (points)"]);
    let mut l = v.clone();
    (l.title, l.subtitle, l.y_label, l.x_label) = (long(&l.title), long(&l.subtitle), long(&l.y_label), long(&l.x_label));
    l.visits.iter_mut().for_each(|a| *a = long(a));
    l.series.iter_mut().for_each(|s| s.arm = long(&s.arm));
    inside_canvas("visits-long", &l);
}

#[test]
fn ae_dot_and_volcano() {
    use trialstat::analysis::ae::{ae_table, AeSpec};
    let ae = CsvFile::open(std::path::Path::new(&dataset("cdisc_pilot01/adae.csv"))).unwrap();
    let sl = CsvFile::open(std::path::Path::new(&dataset("cdisc_pilot01/adsl.csv"))).unwrap();
    let r = ae_table(&ae, &sl, &AeSpec { teae: true, ..Default::default() }).unwrap();
    let d = from_report::ae_dot(&r, "Xanomeline High Dose vs Placebo", 20).unwrap();
    assert_eq!(d.rows.len(), 20);
    assert_eq!(d.rows[0].term, "PRURITUS");
    assert_eq!(d.arms[0], "Placebo", "control first");
    check("ae-dot", &d, &["PRURITUS", "Placebo", "Risk ratio"]);
    let mut l = d.clone();
    (l.title, l.subtitle) = (long(&l.title), long(&l.subtitle));
    l.arms.iter_mut().for_each(|a| *a = long(a));
    l.rows.iter_mut().for_each(|r| r.term = long(&r.term));
    inside_canvas("ae-dot-long", &l);
    let v = from_report::volcano(&r, "Xanomeline High Dose vs Placebo").unwrap();
    check("volcano", &v, &["log2 risk ratio", "p = 0.05"]);
    let mut l = v.clone();
    (l.title, l.subtitle, l.x_label) = (long(&l.title), long(&l.subtitle), long(&l.x_label));
    l.points.iter_mut().for_each(|p| p.term = long(&p.term));
    inside_canvas("volcano-long", &l);
}

#[test]
fn bad_plot_data_is_an_error_not_a_panic() {
    let f = plot::Forest { title: "t".into(), subtitle: String::new(), x_label: "x".into(), log: true, rows: vec![], favours: None };
    assert!(plot::render(&f).unwrap_err().to_string().contains("no rows"));
    let f = plot::Forest {
        rows: vec![plot::ForestRow { label: "a".into(), estimate: 0.0, lower: 0.0, upper: 2.0, text: String::new(), summary: false, header: false }],
        ..f
    };
    assert!(plot::render(&f).unwrap_err().to_string().contains("log axis"));
}

#[test]
fn kaplan_meier_curves_and_subgroup_forest() {
    use trialstat::analysis::survival::{survival_file, SurvivalSpec};
    use trialstat::data::TimeUnit;
    let f = CsvFile::open(std::path::Path::new(&dataset("cdisc_pilot01/adtte.csv"))).unwrap();
    let mut spec = SurvivalSpec::new(ArmChoice { control: Some("Placebo".into()), ..Default::default() });
    spec.time_unit = Some(TimeUnit::Weeks);
    spec.subgroups = vec!["SEX".into(), "AGEGR1".into()];
    let o = Overrides { arm: Some("TRTP".into()), ..Default::default() };
    let r = survival_file(&f, &o, &spec).unwrap();
    let km = from_report::kaplan_meier(&r, "Time to first dermatologic event", true, true).unwrap();
    // Ticks are the numbers-at-risk times: every 5 weeks from 0; control first.
    assert_eq!(km.ticks[..3], [0.0, 5.0, 10.0]);
    assert_eq!(km.arms[0].label, "Placebo");
    assert_eq!(km.arms[0].at_risk[0], 86);
    assert!(km.arms[1].median.is_some() && km.arms[0].median.is_none(), "placebo's median is not reached");
    check("kaplan_meier", &km, &["Time to first dermatologic event", "Time (weeks)", "Number at risk", "Xanomeline High Dose", "95% CI (log)"]);
    let mut l = km.clone();
    (l.title, l.subtitle, l.x_label, l.y_label) = (long(&l.title), long(&l.subtitle), long(&l.x_label), long(&l.y_label));
    l.arms.iter_mut().for_each(|a| a.label = long(&a.label));
    inside_canvas("kaplan_meier-long", &l);
    let plain = from_report::kaplan_meier(&r, "Time to first dermatologic event", false, false).unwrap();
    check("kaplan_meier_plain", &plain, &["Number at risk"]);
    let forest = from_report::subgroup_forest(&r, Some("Xanomeline High Dose vs Placebo"), "Hazard ratio by subgroup").unwrap();
    let labels: Vec<&str> = forest.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels[..4], ["All subjects", "SEX", "   F", "   M"]);
    assert!(forest.rows[1].header && forest.rows[1].text.starts_with("interaction p = "), "{:?}", forest.rows[1]);
    check("subgroup_forest", &forest, &["Hazard ratio by subgroup", "favours Xanomeline High Dose", "favours Placebo", "interaction p"]);
}

/// The meta-analysis forest and funnel plots of the P6 acupoint and BCG files, written to
/// `target/plots/` to be looked at: the P6 forest (16 studies, MH and REML diamonds, the
/// prediction interval), the BCG forest by allocation (subgroup blocks with their subtotals and
/// the test for subgroup differences) and funnel.
#[test]
fn meta_forest_and_funnel_plots() {
    use trialstat::analysis::meta::{meta_file, MetaRequest};
    use trialstat::ingest::table::CsvFile;
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("plots");
    std::fs::create_dir_all(&dir).unwrap();
    let data = |f: &str| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/metadat").join(f);
    let lee = CsvFile::open(&data("dat_lee2004.csv")).unwrap();
    let req = MetaRequest { labels: Some(["P6".into(), "Sham".into()]), ..Default::default() };
    let r = meta_file(&lee, &req).unwrap();
    let f = trialstat::plot::meta::forest_of(&r, "P6 acupoint stimulation and postoperative nausea").unwrap();
    assert_eq!(f.rows.iter().filter(|r| r.kind == trialstat::plot::meta::RowKind::Study).count(), 16);
    assert!(f.log && f.favours.as_ref().is_some_and(|(a, _)| a == "Favours P6"));
    let fig = trialstat::plot::render(&f).unwrap();
    assert!(fig.svg.contains("Random effects (REML)") && fig.svg.contains("0.73 (0.60 to 0.88)"), "the pooled row as text");
    std::fs::write(dir.join("meta-forest-lee2004.png"), &fig.png).unwrap();
    std::fs::write(dir.join("meta-forest-lee2004.svg"), &fig.svg).unwrap();
    let bcg = CsvFile::open(&data("dat_bcg.csv")).unwrap();
    let req = MetaRequest { labels: Some(["BCG".into(), "No vaccine".into()]), subgroup: Some("alloc".into()), trim_fill: true, ..Default::default() };
    let r = meta_file(&bcg, &req).unwrap();
    let f = trialstat::plot::meta::forest_of(&r, "BCG vaccine and tuberculosis, by allocation").unwrap();
    assert_eq!(f.rows.iter().filter(|r| r.kind == trialstat::plot::meta::RowKind::Heading).count(), 4);
    assert!(f.footer.iter().any(|l| l.starts_with("Test for subgroup differences (random effects)")));
    let fig = trialstat::plot::render(&f).unwrap();
    std::fs::write(dir.join("meta-forest-bcg.png"), &fig.png).unwrap();
    inside_canvas("meta-forest-bcg", &f);
    let mut l = f.clone();
    (l.title, l.subtitle, l.x_label, l.label_header, l.estimate_header) = (long(&l.title), long(&l.subtitle), long(&l.x_label), long(&l.label_header), long(&l.estimate_header));
    l.favours = Some((long("Favours BCG"), long("Favours no vaccine")));
    l.rows.iter_mut().for_each(|r| r.label = long(&r.label));
    l.footer.iter_mut().for_each(|r| *r = long(r));
    if let Some(h) = l.arm_headers.as_mut() {
        h.iter_mut().for_each(|a| *a = long(a));
    }
    l.rows.iter_mut().filter_map(|r| r.arms.as_mut()).for_each(|a| a.iter_mut().for_each(|x| *x = long(x)));
    inside_canvas("meta-forest-long", &l);
    let fun = trialstat::plot::meta::funnel_of(&r, "BCG: funnel plot").unwrap();
    assert_eq!(fun.points.len(), 13);
    inside_canvas("funnel", &fun);
    let mut l = fun.clone();
    (l.title, l.subtitle, l.x_label) = (long(&l.title), long(&l.subtitle), long(&l.x_label));
    inside_canvas("funnel-long", &l);
    // Trim and fill imputes one study on the right (metafor's trimfill), mirroring Vandiviere.
    assert_eq!(fun.filled.len(), 1);
    assert!(fun.filled[0].0 > 0.0);
    assert!(r.studies.iter().any(|s| s.filled && s.study == "filled (mirrors Vandiviere et al 1973)"));
    let fig = trialstat::plot::render(&fun).unwrap();
    std::fs::write(dir.join("meta-funnel-bcg.png"), &fig.png).unwrap();
    // Same input, same bytes.
    assert_eq!(trialstat::plot::render(&fun).unwrap().png, fig.png);
    // Means: a linear axis, the arms as mean (SD) n.
    let normand = CsvFile::open(&data("dat_normand1999.csv")).unwrap();
    let req = MetaRequest { labels: Some(["Specialist".into(), "Routine".into()]), study: Some("source".into()), ..Default::default() };
    let r = meta_file(&normand, &req).unwrap();
    let f = trialstat::plot::meta::forest_of(&r, "Specialist stroke care: length of stay (days)").unwrap();
    assert!(!f.log);
    assert_eq!(f.rows[0].arms.as_ref().unwrap()[0], "55 (47) 155");
    assert_eq!(f.arm_headers.as_ref().unwrap()[1], "Routine\nmean (SD) n");
    let fig = trialstat::plot::render(&f).unwrap();
    assert!(fig.svg.contains("-20.00 (-32.47 to -7.53)"));
    std::fs::write(dir.join("meta-forest-normand.png"), &fig.png).unwrap();
}
