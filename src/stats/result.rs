//! Result types shared by every estimator: [`Estimate`], [`Ci`], [`Measure`], [`Method`].
//!
//! Every estimator in [`crate::stats`] returns an [`Estimate`]: what was estimated (`measure`), how
//! (`method`), the point `estimate`, its `ci` with the level, and where a test applies its
//! `statistic`, `df` and `p_value`. Notes say what was done to the data (a zero-cell correction, a
//! normal approximation forced by ties, ...). Nothing downstream recomputes a statistic: tables,
//! JSON and plots all read these structs.
//!
//! Serialisation follows the output contract of the README: kebab-case names, absent fields
//! omitted, and infinite values (an exact CI bound at a zero cell) written as the strings
//! `"Infinity"` / `"-Infinity"`, since JSON numbers cannot hold them. `NaN` is never produced: an
//! undefined quantity is `None` (`null`) with a note saying why.

use serde::{Serialize, Serializer};

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ci {
    #[serde(serialize_with = "ser_f64")]
    pub lower: f64,
    #[serde(serialize_with = "ser_f64")]
    pub upper: f64,
    /// Two-sided confidence level in (0, 1), e.g. 0.95. An exact rank CI reports the level it
    /// achieves, as R's `wilcox.test` does, which can be lower than asked (0 for n = 1).
    pub level: f64,
    /// `true` only for a number needed to treat whose risk-difference CI includes zero: the
    /// interval is then the two rays (-inf, lower] and [upper, +inf) on the signed NNT scale
    /// (Altman 1998, BMJ 317:1309), printed as "NNTH |lower| to inf to NNTB upper".
    #[serde(skip_serializing_if = "is_false")]
    pub disjoint: bool,
}

impl Ci {
    /// An ordinary interval [lower, upper].
    pub fn new(lower: f64, upper: f64, level: f64) -> Self {
        Ci { lower, upper, level, disjoint: false }
    }

    /// Does the interval contain `x` (for a disjoint interval: does it contain x on either ray)?
    pub fn contains(&self, x: f64) -> bool {
        if self.disjoint {
            x <= self.lower || x >= self.upper
        } else {
            self.lower <= x && x <= self.upper
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Serialise a float, writing +-inf as the strings "Infinity"/"-Infinity" and NaN as null.
pub fn ser_f64<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else if x.is_nan() {
        s.serialize_none()
    } else if *x > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}

/// Serialise an optional float with [`ser_f64`].
pub fn ser_opt_f64<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => ser_f64(v, s),
        None => s.serialize_none(),
    }
}

/// The part of a trial file a result is about; every field is omitted from JSON when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subset {
    /// Parameter (e.g. `ACTOT`, `IL-6`) of a change or responder analysis.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Follow-up visit (e.g. `Week 24`), or the follow-up column of a wide file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit: Option<String>,
    /// System organ class of an AE row (`AEBODSYS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soc: Option<String>,
    /// Preferred term of an AE row (`AEDECOD`); `None` on a SOC row. `any adverse event` on
    /// the any-event row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// The variable an estimate is of when an analysis compares more than one (`percent-change`
    /// for Hedges' g of the percent change in `change`); `None` for its main variable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The subgroup a result is restricted to (`SEX = F`), or the subgrouping variable of an
    /// interaction test (`SEX`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    /// A meta-analysis's sensitivity analysis the result belongs to: `leave-one-out` (`group` =
    /// the study left out), `cumulative` (`group` = the study added last), `trim-and-fill`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<String>,
}

impl Subset {
    pub fn is_empty(&self) -> bool {
        self.param.is_none() && self.visit.is_none() && self.soc.is_none() && self.term.is_none() && self.outcome.is_none() && self.subgroup.is_none() && self.sensitivity.is_none()
    }
}

/// One estimate (or test) with its method, CI and test statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub measure: Measure,
    pub method: Method,
    /// Label of the group (or stratum) for per-group results such as a single proportion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Which part of a trial file the result is about (parameter and visit of a change
    /// analysis, SOC and preferred term of an AE table); empty for the one-liners.
    #[serde(flatten)]
    pub subset: Subset,
    /// Point estimate; `None` for a pure test (chi-squared, CMH, Breslow–Day) or when undefined
    /// (a note then says why).
    #[serde(serialize_with = "ser_opt_f64")]
    pub estimate: Option<f64>,
    /// Confidence interval; `None` when the method gives none.
    pub ci: Option<Ci>,
    /// Standard error of the estimate where the method defines one: the t-based differences and
    /// means (Welch, pooled, mean change, ANCOVA coefficient: the SE their CI and t use), the
    /// Wald risk and rate differences, the Mantel–Haenszel risk difference and the bootstrap (the
    /// SD of its finite replicates); omitted from JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub se: Option<f64>,
    /// Standard error of ln(estimate) for a ratio whose CI is a Wald interval on the log scale
    /// (Katz log RR, Woolf OR, Wald rate ratio, Mantel–Haenszel RR and OR): the CI is
    /// exp(ln(estimate) ± z·se_log), and (ln estimate, se_log²) are the yi/vi a meta-analysis
    /// reads (metafor's `escalc`, with its 0.5 correction of a table with a zero cell where
    /// the method applies one); omitted from JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub se_log: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub statistic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub df: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub p_value: Option<f64>,
    /// Number of independent units the result used: subjects (both groups together for a
    /// comparison, the group for per-group results), pairs, non-zero differences (signed rank) or
    /// complete cases (ANCOVA). For person-time analyses (rates), the number of events.
    /// The time (survival at t, RMST to τ) or probability (a survival quantile) the estimate is
    /// at, in the analysis's time unit.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_f64")]
    pub at: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// The numerator of a per-group proportion: subjects with the event (of `n`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Event records behind `count` (an AE table: every AE of those subjects, repeats included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// What was done and why: corrections, approximations, undefined parts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Estimate {
    /// A bare result: everything optional left empty.
    pub fn new(measure: Measure, method: Method) -> Self {
        Estimate {
            measure,
            method,
            group: None,
            subset: Subset::default(),
            estimate: None,
            ci: None,
            se: None,
            se_log: None,
            statistic: None,
            df: None,
            p_value: None,
            at: None,
            n: None,
            count: None,
            events: None,
            notes: Vec::new(),
        }
    }

    pub fn with_estimate(mut self, x: f64) -> Self {
        self.estimate = Some(x);
        self
    }
    pub fn with_se(mut self, se: f64) -> Self {
        self.se = Some(se);
        self
    }
    pub fn with_se_log(mut self, se: f64) -> Self {
        self.se_log = Some(se);
        self
    }
    pub fn with_ci(mut self, lower: f64, upper: f64, level: f64) -> Self {
        self.ci = Some(Ci::new(lower, upper, level));
        self
    }
    pub fn with_test(mut self, statistic: f64, df: Option<f64>, p_value: f64) -> Self {
        self.statistic = Some(statistic);
        self.df = df;
        self.p_value = Some(p_value);
        self
    }
    pub fn with_p(mut self, p_value: f64) -> Self {
        self.p_value = Some(p_value);
        self
    }
    pub fn with_at(mut self, at: f64) -> Self {
        self.at = Some(at);
        self
    }
    pub fn with_n(mut self, n: u64) -> Self {
        self.n = Some(n);
        self
    }
    pub fn with_count(mut self, c: u64) -> Self {
        self.count = Some(c);
        self
    }
    pub fn with_group(mut self, g: impl Into<String>) -> Self {
        self.group = Some(g.into());
        self
    }
    pub fn with_subset(mut self, s: &Subset) -> Self {
        self.subset = s.clone();
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// What is estimated or tested. Names are those of the output contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    Proportion,
    RiskRatio,
    OddsRatio,
    RiskDifference,
    Nnt,
    FisherExact,
    #[serde(rename = "pearson-chi2")]
    PearsonChi2,
    MhRiskRatio,
    MhOddsRatio,
    MhRiskDifference,
    Cmh,
    BreslowDay,
    /// A single incidence rate (events / person-time), per group.
    Rate,
    RateRatio,
    RateDifference,
    MeanDifference,
    CohensD,
    HedgesG,
    GlassDelta,
    MeanChange,
    #[serde(rename = "d-z")]
    DZ,
    #[serde(rename = "g-z")]
    GZ,
    WilcoxonSignedRank,
    MannWhitney,
    HodgesLehmann,
    AncovaDifference,
    /// A statistic summarised by bootstrap (see [`crate::stats::bootstrap`]); the statistic's own
    /// measure is in the bootstrap result's `group`/notes.
    Bootstrap,
    /// A quantile of the survival time (`at` = the probability: 0.5 = the median).
    SurvivalQuantile,
    /// Kaplan–Meier survival at a time (`at` = the time).
    SurvivalAt,
    /// Restricted mean survival time to τ (`at` = τ).
    Rmst,
    RmstDifference,
    RmstRatio,
    HazardRatio,
    /// The log-rank (G^ρ) test of equal survival curves.
    LogRank,
    /// A global test of a Cox model's coefficients.
    CoxTest,
    /// The test of proportional hazards of a Cox model term (or of all terms).
    ProportionalHazards,
    /// A test of treatment-by-subgroup interaction.
    Interaction,
    /// Peto's one-step odds ratio (per study, or pooled).
    PetoOddsRatio,
    /// Ratio of means (log scale in a meta-analysis).
    RatioOfMeans,
    /// An effect on the scale the studies gave it (a generic meta-analysis).
    Effect,
    /// The prediction interval of a random-effects meta-analysis (`estimate` = the pooled
    /// estimate, `ci` = the interval).
    PredictionInterval,
    /// Between-study variance τ² (CI by the Q-profile method).
    Tau2,
    /// Between-study standard deviation τ.
    Tau,
    /// I² (a fraction: 0.37 = 37%), with its Q-profile CI.
    I2,
    /// H².
    H2,
    /// Cochran's Q test of heterogeneity.
    CochranQ,
    /// The test for subgroup differences (Q between subgroups).
    SubgroupDifference,
    /// Egger's regression test for funnel-plot asymmetry (estimate = the slope on the SE).
    EggerTest,
    /// A meta-regression coefficient (`subgroup` = the moderator).
    MetaRegression,
    /// The share of τ² a meta-regression's moderator explains (pseudo-R², a fraction).
    RSquared,
}

impl Measure {
    /// A ratio (risk, odds, rate, hazard, RMST ratio, ratio of means, Peto OR, Fisher's
    /// conditional OR): shown with at least two decimals, on a log axis in plots.
    pub fn is_ratio(self) -> bool {
        use Measure::*;
        matches!(self, RiskRatio | OddsRatio | FisherExact | MhRiskRatio | MhOddsRatio | RateRatio | RmstRatio | HazardRatio | PetoOddsRatio | RatioOfMeans)
    }

    /// Every measure, in declaration order (for name lookups and error messages).
    pub const ALL: [Measure; 50] = {
        use Measure::*;
        [
            Proportion, RiskRatio, OddsRatio, RiskDifference, Nnt, FisherExact, PearsonChi2, MhRiskRatio, MhOddsRatio, MhRiskDifference, Cmh, BreslowDay, Rate, RateRatio, RateDifference,
            MeanDifference, CohensD, HedgesG, GlassDelta, MeanChange, DZ, GZ, WilcoxonSignedRank, MannWhitney, HodgesLehmann, AncovaDifference, Bootstrap,
            SurvivalQuantile, SurvivalAt, Rmst, RmstDifference, RmstRatio, HazardRatio, LogRank, CoxTest, ProportionalHazards, Interaction,
            PetoOddsRatio, RatioOfMeans, Effect, PredictionInterval, Tau2, Tau, I2, H2, CochranQ, SubgroupDifference, EggerTest, MetaRegression, RSquared,
        ]
    };

    /// The measure of a contract name (`risk-ratio`), if any.
    pub fn from_name(name: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The contract's kebab-case name.
    pub fn name(self) -> &'static str {
        use Measure::*;
        match self {
            Proportion => "proportion",
            RiskRatio => "risk-ratio",
            OddsRatio => "odds-ratio",
            RiskDifference => "risk-difference",
            Nnt => "nnt",
            FisherExact => "fisher-exact",
            PearsonChi2 => "pearson-chi2",
            MhRiskRatio => "mh-risk-ratio",
            MhOddsRatio => "mh-odds-ratio",
            MhRiskDifference => "mh-risk-difference",
            Cmh => "cmh",
            BreslowDay => "breslow-day",
            Rate => "rate",
            RateRatio => "rate-ratio",
            RateDifference => "rate-difference",
            MeanDifference => "mean-difference",
            CohensD => "cohens-d",
            HedgesG => "hedges-g",
            GlassDelta => "glass-delta",
            MeanChange => "mean-change",
            DZ => "d-z",
            GZ => "g-z",
            WilcoxonSignedRank => "wilcoxon-signed-rank",
            MannWhitney => "mann-whitney",
            HodgesLehmann => "hodges-lehmann",
            AncovaDifference => "ancova-difference",
            Bootstrap => "bootstrap",
            SurvivalQuantile => "survival-quantile",
            SurvivalAt => "survival-at",
            Rmst => "rmst",
            RmstDifference => "rmst-difference",
            RmstRatio => "rmst-ratio",
            HazardRatio => "hazard-ratio",
            LogRank => "log-rank",
            CoxTest => "cox-test",
            ProportionalHazards => "proportional-hazards",
            Interaction => "interaction",
            PetoOddsRatio => "peto-odds-ratio",
            RatioOfMeans => "ratio-of-means",
            Effect => "effect",
            PredictionInterval => "prediction-interval",
            Tau2 => "tau2",
            Tau => "tau",
            I2 => "i2",
            H2 => "h2",
            CochranQ => "cochran-q",
            SubgroupDifference => "subgroup-difference",
            EggerTest => "egger-test",
            MetaRegression => "meta-regression",
            RSquared => "r-squared",
        }
    }

    /// Methods available for this measure, the recommended one first.
    pub fn methods(self) -> &'static [Method] {
        use Measure::*;
        use Method as M;
        match self {
            // Wilson: Newcombe 1998a and Brown, Cai & DasGupta 2001 recommend it.
            Proportion => &[
                M::Wilson,
                M::WilsonCc,
                M::ClopperPearson,
                M::AgrestiCoull,
                M::Jeffreys,
                M::Wald,
            ],
            // Fagerland, Lydersen & Laake 2015 (Stat Methods Med Res 24:224) recommend the
            // Koopman score interval for the RR and the Newcombe hybrid score for the RD.
            RiskRatio => &[M::Koopman, M::MiettinenNurminen, M::KatzLog],
            OddsRatio => &[M::MiettinenNurminen, M::ExactConditional, M::Woolf],
            RiskDifference => &[M::Newcombe, M::MiettinenNurminen, M::AgrestiCaffo, M::Wald],
            // The NNT inherits the RD method it inverts.
            Nnt => &[M::Newcombe, M::MiettinenNurminen, M::AgrestiCaffo, M::Wald],
            FisherExact => &[M::Exact],
            PearsonChi2 => &[M::Uncorrected, M::Yates],
            MhRiskRatio => &[M::GreenlandRobins],
            MhOddsRatio => &[M::RobinsBreslowGreenland],
            MhRiskDifference => &[M::Sato, M::GreenlandRobins],
            Cmh => &[M::Uncorrected, M::Yates],
            BreslowDay => &[M::Tarone, M::Uncorrected],
            Rate => &[M::Exact],
            RateRatio => &[M::ExactConditional, M::Wald],
            RateDifference => &[M::Wald],
            MeanDifference => &[M::Welch, M::Pooled],
            CohensD | HedgesG | GlassDelta | DZ | GZ => &[M::NoncentralT, M::NormalApprox],
            MeanChange => &[M::Exact],
            WilcoxonSignedRank | MannWhitney | HodgesLehmann => &[M::Exact, M::Normal, M::NormalUncorrected, M::ExactConditional],
            AncovaDifference => &[M::Exact],
            Bootstrap => &[M::Bca, M::Percentile],
            // Pointwise CI transformations of the Kaplan–Meier curve: R's default first.
            SurvivalQuantile | SurvivalAt => &[M::Log, M::LogLog, M::Plain],
            Rmst | RmstDifference | RmstRatio => &[M::Normal],
            HazardRatio => &[M::Efron, M::Breslow],
            LogRank => &[M::LogRank, M::PetoPeto, M::FlemingHarrington],
            CoxTest | Interaction => &[M::LikelihoodRatio, M::Wald, M::Score],
            ProportionalHazards => &[M::GrambschTherneau],
            // Meta-analysis: the model of the pooled estimate (random effects: its τ² estimator).
            PetoOddsRatio => &[M::Peto, M::InverseVariance, M::Reml, M::DerSimonianLaird, M::PauleMandel, M::SidikJonkman, M::Ml, M::HedgesEstimator, M::EmpiricalBayes, M::HunterSchmidt],
            RatioOfMeans | Effect => &[M::Wald, M::InverseVariance, M::Reml, M::DerSimonianLaird, M::PauleMandel, M::SidikJonkman, M::Ml, M::HedgesEstimator, M::EmpiricalBayes, M::HunterSchmidt],
            PredictionInterval | Tau2 | Tau | I2 | H2 | MetaRegression | RSquared | SubgroupDifference => {
                &[M::Reml, M::DerSimonianLaird, M::PauleMandel, M::SidikJonkman, M::Ml, M::HedgesEstimator, M::EmpiricalBayes, M::HunterSchmidt, M::InverseVariance]
            }
            CochranQ => &[M::InverseVariance],
            EggerTest => &[M::Egger, M::Reml, M::DerSimonianLaird, M::Ml, M::HedgesEstimator, M::InverseVariance],
        }
    }

    /// The method used when the user names none.
    pub fn recommended(self) -> Method {
        self.methods()[0]
    }
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How an estimate, CI or test was computed. Names are those statisticians use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Wilson (1927) score interval.
    Wilson,
    /// Wilson score interval with continuity correction (Newcombe 1998a, method 4).
    WilsonCc,
    /// Clopper–Pearson (1934) exact interval from beta quantiles.
    ClopperPearson,
    /// Agresti–Coull (1998) "add z²/2" interval.
    AgrestiCoull,
    /// Jeffreys interval: Beta(x + 1/2, n − x + 1/2) quantiles (Brown, Cai & DasGupta 2001).
    Jeffreys,
    /// Wald interval (for ratios: on the log scale).
    Wald,
    /// Katz et al. (1978) log interval for the risk ratio.
    KatzLog,
    /// Koopman (1984) asymptotic score interval for the risk ratio.
    Koopman,
    /// Miettinen & Nurminen (1985) score interval, with the n/(n−1) variance correction.
    MiettinenNurminen,
    /// Newcombe (1998b) hybrid score interval (method 10) for the risk difference.
    Newcombe,
    /// Agresti & Caffo (2000): add one success and one failure to each group.
    AgrestiCaffo,
    /// Woolf (1955) logit interval for the odds ratio.
    Woolf,
    /// Exact conditional (Fisher / Cornfield) interval; conditional MLE as R's fisher.test.
    ExactConditional,
    /// Greenland & Robins (1985) variance.
    GreenlandRobins,
    /// Robins, Breslow & Greenland (1986) variance of the log MH odds ratio.
    RobinsBreslowGreenland,
    /// Sato (1989) variance of the MH risk difference.
    Sato,
    /// Tarone (1985) correction of the Breslow–Day statistic.
    Tarone,
    /// Welch (1947) unequal-variance t.
    Welch,
    /// Pooled-variance (Student) t.
    Pooled,
    /// Noncentral-t inversion (Steiger & Fouladi 1997), as R's effectsize.
    NoncentralT,
    /// Normal approximation to the sampling distribution (Hedges & Olkin 1985).
    NormalApprox,
    /// Exact distribution (t for means, permutation distribution for ranks, ...).
    Exact,
    /// Normal approximation (rank tests: with tie and continuity corrections).
    Normal,
    /// Normal approximation with the tie correction but no continuity correction (rank tests:
    /// R's `wilcox.test(correct = FALSE)`).
    NormalUncorrected,
    /// Bootstrap percentile interval.
    Percentile,
    /// Bootstrap bias-corrected and accelerated interval (Efron 1987).
    Bca,
    /// Test without continuity correction.
    Uncorrected,
    /// Test with Yates' continuity correction.
    Yates,
    /// Kaplan–Meier CI on the log scale (R's default).
    Log,
    /// Kaplan–Meier CI on the log(−log) scale (SAS's default).
    LogLog,
    /// Kaplan–Meier CI on the survival scale.
    Plain,
    /// Cox model, Efron's handling of ties (Wald CI).
    Efron,
    /// Cox model, Breslow's handling of ties (Wald CI).
    Breslow,
    LogRank,
    /// G^1 (Peto–Peto) weights.
    PetoPeto,
    /// G^ρ weights, ρ other than 0 and 1.
    FlemingHarrington,
    LikelihoodRatio,
    Score,
    /// Grambsch & Therneau's score test of time-varying coefficients (R's `cox.zph`).
    GrambschTherneau,
    /// Meta-analysis, common effect: inverse-variance weights 1/vᵢ.
    InverseVariance,
    /// Random effects, τ² by restricted maximum likelihood.
    Reml,
    /// Random effects, τ² by maximum likelihood.
    Ml,
    /// Random effects, τ² by DerSimonian & Laird (1986).
    #[serde(rename = "dersimonian-laird")]
    DerSimonianLaird,
    /// Random effects, τ² by Paule & Mandel (1982).
    PauleMandel,
    /// Random effects, τ² by Sidik & Jonkman (2005).
    SidikJonkman,
    /// Random effects, τ² by Hedges' (1983) estimator.
    #[serde(rename = "hedges")]
    HedgesEstimator,
    /// Random effects, τ² by empirical Bayes (Morris 1983).
    EmpiricalBayes,
    /// Random effects, τ² by Hunter & Schmidt (2004).
    HunterSchmidt,
    /// Peto's one-step odds ratio (Yusuf et al. 1985).
    Peto,
    /// Egger et al. (1997) weighted regression on the standard error.
    Egger,
}

impl Method {
    /// Every method, in declaration order.
    pub const ALL: &'static [Method] = &[
        Method::Wilson,
        Method::WilsonCc,
        Method::ClopperPearson,
        Method::AgrestiCoull,
        Method::Jeffreys,
        Method::Wald,
        Method::KatzLog,
        Method::Koopman,
        Method::MiettinenNurminen,
        Method::Newcombe,
        Method::AgrestiCaffo,
        Method::Woolf,
        Method::ExactConditional,
        Method::GreenlandRobins,
        Method::RobinsBreslowGreenland,
        Method::Sato,
        Method::Tarone,
        Method::Welch,
        Method::Pooled,
        Method::NoncentralT,
        Method::NormalApprox,
        Method::Exact,
        Method::Normal,
        Method::NormalUncorrected,
        Method::Percentile,
        Method::Bca,
        Method::Uncorrected,
        Method::Yates,
        Method::Log,
        Method::LogLog,
        Method::Plain,
        Method::Efron,
        Method::Breslow,
        Method::LogRank,
        Method::PetoPeto,
        Method::FlemingHarrington,
        Method::LikelihoodRatio,
        Method::Score,
        Method::GrambschTherneau,
        Method::InverseVariance,
        Method::Reml,
        Method::Ml,
        Method::DerSimonianLaird,
        Method::PauleMandel,
        Method::SidikJonkman,
        Method::HedgesEstimator,
        Method::EmpiricalBayes,
        Method::HunterSchmidt,
        Method::Peto,
        Method::Egger,
    ];

    /// The contract's kebab-case name.
    pub fn name(self) -> &'static str {
        use Method::*;
        match self {
            Wilson => "wilson",
            WilsonCc => "wilson-cc",
            ClopperPearson => "clopper-pearson",
            AgrestiCoull => "agresti-coull",
            Jeffreys => "jeffreys",
            Wald => "wald",
            KatzLog => "katz-log",
            Koopman => "koopman",
            MiettinenNurminen => "miettinen-nurminen",
            Newcombe => "newcombe",
            AgrestiCaffo => "agresti-caffo",
            Woolf => "woolf",
            ExactConditional => "exact-conditional",
            GreenlandRobins => "greenland-robins",
            RobinsBreslowGreenland => "robins-breslow-greenland",
            Sato => "sato",
            Tarone => "tarone",
            Welch => "welch",
            Pooled => "pooled",
            NoncentralT => "noncentral-t",
            NormalApprox => "normal-approx",
            Exact => "exact",
            Normal => "normal",
            NormalUncorrected => "normal-uncorrected",
            Percentile => "percentile",
            Bca => "bca",
            Uncorrected => "uncorrected",
            Yates => "yates",
            Log => "log",
            LogLog => "log-log",
            Plain => "plain",
            Efron => "efron",
            Breslow => "breslow",
            LogRank => "log-rank",
            PetoPeto => "peto-peto",
            FlemingHarrington => "fleming-harrington",
            LikelihoodRatio => "likelihood-ratio",
            Score => "score",
            GrambschTherneau => "grambsch-therneau",
            InverseVariance => "inverse-variance",
            Reml => "reml",
            Ml => "ml",
            DerSimonianLaird => "dersimonian-laird",
            PauleMandel => "paule-mandel",
            SidikJonkman => "sidik-jonkman",
            HedgesEstimator => "hedges",
            EmpiricalBayes => "empirical-bayes",
            HunterSchmidt => "hunter-schmidt",
            Peto => "peto",
            Egger => "egger",
        }
    }

    /// Parse a contract name (`"miettinen-nurminen"`); `None` if unknown.
    pub fn from_name(s: &str) -> Option<Method> {
        Method::ALL.iter().copied().find(|m| m.name() == s)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_once_and_named_as_serialised() {
        let names: std::collections::BTreeSet<&str> = Measure::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Measure::ALL.len());
        for m in Measure::ALL {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.name()));
            assert_eq!(Measure::from_name(m.name()), Some(m));
        }
        assert_eq!(Measure::from_name("risk ratio"), None);
    }

    #[test]
    fn names_match_serde() {
        for m in Method::ALL {
            let j = serde_json::to_string(m).unwrap();
            assert_eq!(j, format!("\"{}\"", m.name()));
            assert_eq!(Method::from_name(m.name()), Some(*m));
        }
        for m in [Measure::DZ, Measure::GZ, Measure::PearsonChi2, Measure::MhRiskDifference] {
            assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{}\"", m.name()));
        }
    }

    #[test]
    fn infinite_bounds_serialise_as_strings() {
        let e = Estimate::new(Measure::OddsRatio, Method::ExactConditional)
            .with_estimate(0.0)
            .with_ci(0.0, f64::INFINITY, 0.95);
        let j = serde_json::to_string(&e).unwrap();
        assert!(j.contains("\"upper\":\"Infinity\""), "{j}");
        assert!(!j.contains("p_value"), "absent fields are omitted: {j}");
    }
}
