//! A study report's words: the sign convention of each analysis and the methods paragraph,
//! generated from the methods the results actually used, with numbered references.

use crate::analysis::Report;
use crate::stats::{Estimate, Measure, Method};

/// A reference: a short key and the full citation (Vancouver style).
pub struct Reference {
    pub key: &'static str,
    pub citation: &'static str,
}

const REFERENCES: &[Reference] = &[
    Reference { key: "wilson", citation: "Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc 1927;22:209–212." },
    Reference { key: "newcombe-single", citation: "Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven methods. Stat Med 1998;17:857–872." },
    Reference { key: "clopper-pearson", citation: "Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the binomial. Biometrika 1934;26:404–413." },
    Reference { key: "agresti-coull", citation: "Agresti A, Coull BA. Approximate is better than \"exact\" for interval estimation of binomial proportions. Am Stat 1998;52:119–126." },
    Reference { key: "brown", citation: "Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat Sci 2001;16:101–133." },
    Reference { key: "katz", citation: "Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in cohort studies. Biometrics 1978;34:469–474." },
    Reference { key: "koopman", citation: "Koopman PAR. Confidence intervals for the ratio of two binomial proportions. Biometrics 1984;40:513–517." },
    Reference { key: "miettinen-nurminen", citation: "Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med 1985;4:213–226." },
    Reference { key: "newcombe-difference", citation: "Newcombe RG. Interval estimation for the difference between independent proportions: comparison of eleven methods. Stat Med 1998;17:873–890." },
    Reference { key: "agresti-caffo", citation: "Agresti A, Caffo B. Simple and effective confidence intervals for proportions and differences of proportions result from adding two successes and two failures. Am Stat 2000;54:280–288." },
    Reference { key: "woolf", citation: "Woolf B. On estimating the relation between blood group and disease. Ann Hum Genet 1955;19:251–253." },
    Reference { key: "fisher", citation: "Fisher RA. On the interpretation of χ² from contingency tables, and the calculation of P. J R Stat Soc 1922;85:87–94." },
    Reference { key: "altman-nnt", citation: "Altman DG. Confidence intervals for the number needed to treat. BMJ 1998;317:1309–1312." },
    Reference { key: "mantel-haenszel", citation: "Mantel N, Haenszel W. Statistical aspects of the analysis of data from retrospective studies of disease. J Natl Cancer Inst 1959;22:719–748." },
    Reference { key: "greenland-robins", citation: "Greenland S, Robins JM. Estimation of a common effect parameter from sparse follow-up data. Biometrics 1985;41:55–68." },
    Reference { key: "rbg", citation: "Robins J, Breslow N, Greenland S. Estimators of the Mantel–Haenszel variance consistent in both sparse data and large-strata limiting models. Biometrics 1986;42:311–323." },
    Reference { key: "sato", citation: "Sato T. On the variance estimator for the Mantel–Haenszel risk difference. Biometrics 1989;45:1323–1324." },
    Reference { key: "tarone", citation: "Tarone RE. On heterogeneity tests based on efficient scores. Biometrika 1985;72:91–95." },
    Reference { key: "garwood", citation: "Garwood F. Fiducial limits for the Poisson distribution. Biometrika 1936;28:437–442." },
    Reference { key: "welch", citation: "Welch BL. The generalization of 'Student's' problem when several different population variances are involved. Biometrika 1947;34:28–35." },
    Reference { key: "steiger-fouladi", citation: "Steiger JH, Fouladi RT. Noncentrality interval estimation and the evaluation of statistical models. In: Harlow LL, Mulaik SA, Steiger JH, eds. What if there were no significance tests? Mahwah, NJ: Erlbaum; 1997:221–257." },
    Reference { key: "hedges-olkin", citation: "Hedges LV, Olkin I. Statistical Methods for Meta-Analysis. Orlando: Academic Press; 1985." },
    Reference { key: "hollander-wolfe", citation: "Hollander M, Wolfe DA. Nonparametric Statistical Methods. 2nd ed. New York: Wiley; 1999." },
    Reference { key: "hodges-lehmann", citation: "Hodges JL, Lehmann EL. Estimates of location based on rank tests. Ann Math Stat 1963;34:598–611." },
    Reference { key: "vickers-altman", citation: "Vickers AJ, Altman DG. Analysing controlled trials with baseline and follow up measurements. BMJ 2001;323:1123–1124." },
    Reference { key: "efron-bca", citation: "Efron B. Better bootstrap confidence intervals. J Am Stat Assoc 1987;82:171–185." },
    Reference { key: "kaplan-meier", citation: "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. J Am Stat Assoc 1958;53:457–481." },
    Reference { key: "mantel-logrank", citation: "Mantel N. Evaluation of survival data and two new rank order statistics arising in its consideration. Cancer Chemother Rep 1966;50:163–170." },
    Reference { key: "peto-peto", citation: "Peto R, Peto J. Asymptotically efficient rank invariant test procedures. J R Stat Soc A 1972;135:185–207." },
    Reference { key: "harrington-fleming", citation: "Harrington DP, Fleming TR. A class of rank test procedures for censored survival data. Biometrika 1982;69:553–566." },
    Reference { key: "cox", citation: "Cox DR. Regression models and life-tables. J R Stat Soc B 1972;34:187–220." },
    Reference { key: "efron-ties", citation: "Efron B. The efficiency of Cox's likelihood function for censored data. J Am Stat Assoc 1977;72:557–565." },
    Reference { key: "breslow-ties", citation: "Breslow N. Covariance analysis of censored survival data. Biometrics 1974;30:89–99." },
    Reference { key: "grambsch-therneau", citation: "Grambsch PM, Therneau TM. Proportional hazards tests and diagnostics based on weighted residuals. Biometrika 1994;81:515–526." },
    Reference { key: "royston-parmar", citation: "Royston P, Parmar MKB. Restricted mean survival time: an alternative to the hazard ratio for the design and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol 2013;13:152." },
    Reference { key: "dersimonian-laird", citation: "DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials 1986;7:177–188." },
    Reference { key: "viechtbauer-2005", citation: "Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the random-effects model. J Educ Behav Stat 2005;30:261–293." },
    Reference { key: "paule-mandel", citation: "Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand 1982;87:377–385." },
    Reference { key: "sidik-jonkman", citation: "Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis. J R Stat Soc C 2005;54:367–384." },
    Reference { key: "hedges-1983", citation: "Hedges LV. A random effects model for effect sizes. Psychol Bull 1983;93:388–395." },
    Reference { key: "morris", citation: "Morris CN. Parametric empirical Bayes inference: theory and applications. J Am Stat Assoc 1983;78:47–55." },
    Reference { key: "hunter-schmidt", citation: "Hunter JE, Schmidt FL. Methods of Meta-Analysis: Correcting Error and Bias in Research Findings. 2nd ed. Thousand Oaks: Sage; 2004." },
    Reference { key: "yusuf", citation: "Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Beta blockade during and after myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis 1985;27:335–371." },
    Reference { key: "viechtbauer-2007", citation: "Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis. Stat Med 2007;26:37–52." },
    Reference { key: "higgins-thompson", citation: "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med 2002;21:1539–1558." },
    Reference { key: "egger", citation: "Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by a simple, graphical test. BMJ 1997;315:629–634." },
    Reference { key: "duval-tweedie", citation: "Duval S, Tweedie R. Trim and fill: a simple funnel-plot-based method of testing and adjusting for publication bias in meta-analysis. Biometrics 2000;56:455–463." },
];

/// The words for `measure` computed by `method`, and the key of its reference (if any).
fn phrase(measure: Measure, method: Method) -> Option<(String, Option<&'static str>)> {
    use Measure as M;
    use Method::*;
    let what = |s: &str, r: Option<&'static str>| Some((s.to_string(), r));
    match (measure, method) {
        (M::Proportion, Wilson) => what("proportions with Wilson score intervals", Some("wilson")),
        (M::Proportion, WilsonCc) => what("proportions with continuity-corrected Wilson intervals", Some("newcombe-single")),
        (M::Proportion, ClopperPearson) => what("proportions with Clopper–Pearson exact intervals", Some("clopper-pearson")),
        (M::Proportion, AgrestiCoull) => what("proportions with Agresti–Coull intervals", Some("agresti-coull")),
        (M::Proportion, Jeffreys) => what("proportions with Jeffreys intervals", Some("brown")),
        (M::Proportion, Wald) => what("proportions with Wald intervals", None),
        (M::RiskRatio, Koopman) => what("the risk ratio with Koopman's asymptotic score interval", Some("koopman")),
        (M::RiskRatio, MiettinenNurminen) => what("the risk ratio with the Miettinen–Nurminen score interval", Some("miettinen-nurminen")),
        (M::RiskRatio, KatzLog) => what("the risk ratio with the Katz log interval", Some("katz")),
        (M::OddsRatio, MiettinenNurminen) => what("the odds ratio with the Miettinen–Nurminen score interval", Some("miettinen-nurminen")),
        (M::OddsRatio, Woolf) => what("the odds ratio with Woolf's logit interval", Some("woolf")),
        (M::OddsRatio, ExactConditional) => what("the conditional maximum-likelihood odds ratio with its exact interval", Some("fisher")),
        (M::RiskDifference, Newcombe) => what("the risk difference with Newcombe's hybrid score interval", Some("newcombe-difference")),
        (M::RiskDifference, MiettinenNurminen) => what("the risk difference with the Miettinen–Nurminen score interval", Some("miettinen-nurminen")),
        (M::RiskDifference, AgrestiCaffo) => what("the risk difference with the Agresti–Caffo interval", Some("agresti-caffo")),
        (M::RiskDifference, Wald) => what("the risk difference with the Wald interval", None),
        (M::Nnt, _) => what("the number needed to treat as the reciprocal of the risk difference and its limits", Some("altman-nnt")),
        (M::FisherExact, _) => what("Fisher's exact test (two-sided: tables no more probable than the one observed)", Some("fisher")),
        (M::PearsonChi2, Uncorrected) => what("Pearson's χ² test without continuity correction", None),
        (M::PearsonChi2, Yates) => what("Pearson's χ² test with Yates' continuity correction", None),
        (M::MhRiskRatio, _) => what("the Mantel–Haenszel risk ratio over strata (or studies) with the Greenland–Robins variance", Some("greenland-robins")),
        (M::MhOddsRatio, _) => what("the Mantel–Haenszel odds ratio with the Robins–Breslow–Greenland variance", Some("rbg")),
        (M::MhRiskDifference, Sato) => what("the Mantel–Haenszel risk difference with Sato's variance", Some("sato")),
        (M::MhRiskDifference, GreenlandRobins) => what("the Mantel–Haenszel risk difference with the Greenland–Robins variance", Some("greenland-robins")),
        (M::Cmh, _) => what("the Cochran–Mantel–Haenszel test", Some("mantel-haenszel")),
        (M::BreslowDay, Tarone) => what("the Breslow–Day test of equal odds ratios with Tarone's correction", Some("tarone")),
        (M::BreslowDay, _) => what("the Breslow–Day test of equal odds ratios", None),
        (M::Rate, _) => what("rates with exact Poisson intervals", Some("garwood")),
        (M::RateRatio, ExactConditional) => what("the rate ratio with the exact conditional (binomial) interval", None),
        (M::RateRatio, _) => what("the rate ratio with the Wald interval on the log scale", None),
        (M::RateDifference, _) => what("the rate difference with the Wald interval", None),
        (M::MeanDifference, Welch) => what("the difference in means by Welch's unequal-variance t", Some("welch")),
        (M::MeanDifference, Pooled) => what("the difference in means by the pooled-variance t", None),
        (M::MeanChange, _) => what("the mean change within each arm with the paired t interval", None),
        (M::CohensD | M::HedgesG | M::GlassDelta | M::DZ | M::GZ, NoncentralT) => what("standardised effect sizes (Hedges' g, d_z, g_z) with noncentral-t intervals", Some("steiger-fouladi")),
        (M::CohensD | M::HedgesG | M::GlassDelta | M::DZ | M::GZ, _) => what("standardised effect sizes with normal-approximation intervals", Some("hedges-olkin")),
        (M::WilcoxonSignedRank, _) => what("the Wilcoxon signed-rank test with the Hodges–Lehmann pseudo-median", Some("hollander-wolfe")),
        (M::MannWhitney | M::HodgesLehmann, _) => what("the Mann–Whitney test with the Hodges–Lehmann shift and its interval", Some("hodges-lehmann")),
        (M::AncovaDifference, _) => what("the difference in follow-up adjusted for baseline (and covariates) by analysis of covariance (ordinary least squares, t interval)", Some("vickers-altman")),
        (M::Bootstrap, Bca) => what("bootstrap bias-corrected and accelerated intervals", Some("efron-bca")),
        (M::Bootstrap, _) => what("bootstrap percentile intervals", None),
        (M::SurvivalQuantile | M::SurvivalAt, _) => what("Kaplan–Meier estimates with Greenwood's variance (median survival and landmark survival with their intervals)", Some("kaplan-meier")),
        (M::Rmst | M::RmstDifference | M::RmstRatio, _) => what("restricted mean survival time (area under the Kaplan–Meier curve)", Some("royston-parmar")),
        (M::LogRank, PetoPeto) => what("the Peto–Peto test", Some("peto-peto")),
        (M::LogRank, FlemingHarrington) => what("the Fleming–Harrington G^ρ test", Some("harrington-fleming")),
        (M::LogRank, _) => what("the log-rank test", Some("mantel-logrank")),
        (M::HazardRatio, Efron) => what("hazard ratios from the Cox model (Efron's ties)", Some("efron-ties")),
        (M::HazardRatio, Breslow) => what("hazard ratios from the Cox model (Breslow's ties)", Some("breslow-ties")),
        (M::HazardRatio, _) => what("hazard ratios from the Cox proportional-hazards model", Some("cox")),
        (M::CoxTest, _) => what("global tests of the Cox model", Some("cox")),
        (M::ProportionalHazards, _) => what("the Grambsch–Therneau test of proportional hazards", Some("grambsch-therneau")),
        (M::Interaction, _) => what("treatment-by-subgroup interaction tests", None),
        (M::Tau2 | M::Tau | M::I2 | M::H2, _) => what("heterogeneity as τ², I² and H² with Q-profile intervals", Some("viechtbauer-2007")),
        (M::CochranQ, _) => what("Cochran's Q test of heterogeneity", Some("higgins-thompson")),
        (M::PredictionInterval, _) => what("a prediction interval for the effect in a new study", Some("higgins-thompson")),
        (M::SubgroupDifference, _) => what("tests for subgroup differences (between-subgroup Q)", None),
        (M::MetaRegression | M::RSquared, _) => what("meta-regression (mixed-effects model) with the share of τ² explained", Some("viechtbauer-2005")),
        (M::EggerTest, _) => what("Egger's regression test for funnel-plot asymmetry", Some("egger")),
        (_, Reml) => what("random-effects meta-analysis with τ² by restricted maximum likelihood", Some("viechtbauer-2005")),
        (_, DerSimonianLaird) => what("random-effects meta-analysis with τ² by DerSimonian–Laird", Some("dersimonian-laird")),
        (_, PauleMandel) => what("random-effects meta-analysis with τ² by Paule–Mandel", Some("paule-mandel")),
        (_, SidikJonkman) => what("random-effects meta-analysis with τ² by Sidik–Jonkman", Some("sidik-jonkman")),
        (_, HedgesEstimator) => what("random-effects meta-analysis with Hedges' τ²", Some("hedges-1983")),
        (_, EmpiricalBayes) => what("random-effects meta-analysis with τ² by empirical Bayes", Some("morris")),
        (_, HunterSchmidt) => what("random-effects meta-analysis with the Hunter–Schmidt τ²", Some("hunter-schmidt")),
        (_, Ml) => what("random-effects meta-analysis with τ² by maximum likelihood", Some("viechtbauer-2005")),
        (_, Peto) => what("Peto's one-step odds ratio", Some("yusuf")),
        (_, InverseVariance) => what("common-effect (inverse-variance) pooling", None),
        (_, Egger) => what("Egger's regression test for funnel-plot asymmetry", Some("egger")),
        _ => None,
    }
}

/// The methods paragraph's references, numbered in order of first citation across the report.
#[derive(Default)]
pub struct Citations {
    pub keys: Vec<&'static str>,
}

impl Citations {
    /// "[n]" of `key`, numbering it if new.
    fn cite(&mut self, key: &'static str) -> String {
        let n = match self.keys.iter().position(|k| *k == key) {
            Some(i) => i + 1,
            None => {
                self.keys.push(key);
                self.keys.len()
            }
        };
        format!("[{n}]")
    }

    /// The numbered reference list: ("1", citation), ...
    pub fn list(&self) -> Vec<(usize, &'static str)> {
        self.keys.iter().enumerate().filter_map(|(i, k)| REFERENCES.iter().find(|r| r.key == *k).map(|r| (i + 1, r.citation))).collect()
    }
}

/// The methods sentence of one analysis: the estimates and tests it reports, each with its
/// method and reference, the CI level, and how missing values were handled.
pub fn methods_sentence(report: &Report, cites: &mut Citations) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for e in report.results.iter().filter(|e| e.subset.sensitivity.is_none()) {
        if let Some((words, key)) = phrase(e.measure, e.method) {
            if seen.contains(&words) {
                continue;
            }
            seen.push(words.clone());
            parts.push(match key {
                Some(k) => format!("{words} {}", cites.cite(k)),
                None => words,
            });
        }
    }
    // Sensitivity analyses of a meta-analysis, once each.
    for (which, words, key) in [
        ("leave-one-out", "leave-one-out analysis", None),
        ("cumulative", "cumulative meta-analysis", None),
        ("trim-and-fill", "trim and fill (L0 estimator)", Some("duval-tweedie")),
    ] {
        if report.results.iter().any(|e| e.subset.sensitivity.as_deref() == Some(which)) {
            parts.push(match key {
                Some(k) => format!("{words} {}", cites.cite(k)),
                None => words.to_string(),
            });
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    let mut s = crate::fmt::capitalise(&crate::fmt::and_list(&parts, "; "));
    s.push('.');
    if let Some(level) = level(&report.results) {
        s.push_str(&format!(" Confidence intervals are {}% and two-sided; p-values two-sided.", crate::fmt::trim_num(100.0 * level, 4)));
    }
    if !report.flow.is_empty() {
        let imputed = report.flow.iter().any(|f| !f.imputed.is_empty());
        let excluded = report.flow.iter().any(|f| !f.excluded.is_empty());
        s.push_str(match (imputed, excluded) {
            (true, _) => " Subjects without a value were counted as stated in the patient flow.",
            (false, true) => " Subjects without the values the analysis needs were left out of it (complete cases; see the patient flow).",
            (false, false) => " Every subject of the arms compared was analysed.",
        });
    }
    s
}

fn level(results: &[Estimate]) -> Option<f64> {
    results.iter().find_map(|e| e.ci.map(|c| c.level))
}


/// The treated and control labels of a report's comparisons ("acupuncture", "usual care"),
/// from its first "T vs C" group.
fn arms_of(report: &Report) -> Option<(String, String)> {
    let from_groups = || match report.layout.groups.as_slice() {
        [t, .., c] => Some((t.label.clone(), c.label.clone())),
        _ => None,
    };
    report.results.iter().filter_map(|e| e.group.as_deref()).find_map(|g| g.split_once(" vs ").map(|(t, c)| (t.to_string(), c.to_string()))).or_else(from_groups)
}

/// The sign convention of an analysis, stated once under its heading: what a positive or
/// negative difference means, and which arm is compared with which.
pub fn sign_convention(kind: crate::report::spec::AnalysisKind, report: &Report) -> Option<String> {
    use crate::report::spec::AnalysisKind as K;
    let (t, c) = arms_of(report)?;
    let several = report.results.iter().filter_map(|e| e.group.as_deref()).filter(|g| g.contains(" vs ")).any(|g| !g.starts_with(&format!("{t} vs ")));
    // "each arm ... with that arm" when several arms are compared with the control.
    let (each, that) = if several { ("each arm".to_string(), "that arm".to_string()) } else { (t.clone(), t.clone()) };
    Some(match kind {
        K::Change => format!(
            "Change is follow-up minus baseline, so a negative change is a fall in the score; differences are {each} minus {c}: below 0, a larger fall (or smaller rise) with {that}. Percent change is 100 × change / |baseline|."
        ),
        K::Endpoint => format!("Differences are {each} minus {c}: above 0, higher values with {that}."),
        K::Responders => format!("Ratios and differences are {each} vs {c}: a risk ratio above 1 (a risk difference above 0) means more responders with {that}."),
        K::Ae => format!("Ratios and differences are {each} vs {c}: a risk ratio above 1 (a risk difference above 0) means more subjects with the event with {that}."),
        K::Incidence => format!("Rate ratios and differences are {each} vs {c}: above 1 (above 0), a higher event rate with {that}."),
        K::Survival => format!("Hazard ratios and RMST differences are {each} vs {c}: a hazard ratio below 1 means a lower hazard of the event with {that}."),
        K::Bootstrap => format!("Differences are {each} minus {c}."),
        K::Meta => format!("Effects are {each} vs {c} in every study."),
    })
}

/// Whether `note` only restates what the patient-flow table shows (subjects left out per arm).
pub fn restates_flow(note: &str) -> bool {
    note.starts_with("Missing responder status: ") || note.starts_with("Subjects without both ") || note.starts_with("Subjects without a value, left out: ") || note.starts_with("Rows without a value of ") || note.starts_with("Rows left out for a missing event or time: ")
}

/// Whether `note` only restates the sign convention (left out of a study report's notes, where
/// the convention is stated once under the heading).
pub fn restates_convention(note: &str) -> bool {
    note.starts_with("Ratios and differences are ") || (note.starts_with("Change = ") && note.contains("percent change = 100·change/|baseline|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cited_key_has_a_reference() {
        let mut keys = Vec::new();
        for m in Measure::ALL {
            for &me in Method::ALL {
                if let Some((_, Some(k))) = phrase(m, me) {
                    keys.push(k);
                }
            }
        }
        for k in keys {
            assert!(REFERENCES.iter().any(|r| r.key == k), "{k}");
        }
        let mut c = Citations::default();
        assert_eq!(c.cite("koopman"), "[1]");
        assert_eq!(c.cite("wilson"), "[2]");
        assert_eq!(c.cite("koopman"), "[1]");
        assert_eq!(c.list()[1].1, REFERENCES[0].citation);
    }
}
